"""The second stage: a model that has been checked, with what the check found.

A :class:`~simulator.spec.ModelSpec` is only well formed (each field on its own);
whether its links name existing nodes, whether its zero-lag links form a loop,
whether a lag is long enough for ``dt`` is known only for the whole model on a
horizon. :func:`check` finds all of that (the rules are in
:mod:`simulator.network`) and returns a :class:`CheckedModel`, the only way to
get one. Everything that runs a model (:func:`simulator.compiler.compile_model`
and so every run) takes a checked model, or checks the spec it is given, and
refuses one with problems with the same :class:`~simulator.errors.InputError`
that ``bwsim validate`` reports, before any work starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.dimensions import origin_path, unique
from simulator.errors import InputError, Problem
from simulator.io.yaml_file import YamlDocument, format_place
from simulator.network import check_model
from simulator.spec import ModelSpec, TimeSpec

_MADE_BY_CHECK = object()


@dataclass(frozen=True)
class CheckedModel:
    """A model with the problems :func:`check` found on the horizon ``time`` (years).

    Attributes
    ----------
    spec : ModelSpec
    time : TimeSpec
        The horizon it was checked on (lags are judged against its ``dt``).
    problems : tuple of Problem
        Every problem found, each with its place (a path into the document such as
        ``links[0].lag``) and, when checked with the file's document, its file and line.
        Empty: the model can run.
    """

    spec: ModelSpec
    time: TimeSpec
    problems: tuple[Problem, ...]
    _token: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._token is not _MADE_BY_CHECK:
            raise TypeError("a CheckedModel is made by simulator.checked.check(model), not by hand")

    @property
    def ok(self) -> bool:
        """True when the check found nothing: the model can run."""
        return not self.problems

    def in_file(self, doc: YamlDocument) -> CheckedModel:
        """This check's problems given the file and line of ``doc``, the document the model came from."""
        return CheckedModel(self.spec, self.time, tuple(doc.locate(p) for p in self.problems), _MADE_BY_CHECK)

    def require(self) -> CheckedModel:
        """This model, when it can run.

        Raises
        ------
        InputError
            With every problem found, as ``bwsim validate`` reports them.
        """
        if self.problems:
            raise InputError(list(self.problems))
        return self


def check(
    model: ModelSpec | CheckedModel, time: TimeSpec | None = None, doc: YamlDocument | None = None
) -> CheckedModel:
    """Check ``model`` as a whole on ``time`` (default: the model's own horizon).

    ``doc``, the file the model came from, puts file and line into each problem.
    A model already checked on the same horizon is returned as it is.
    """
    if isinstance(model, CheckedModel):
        if time is None or time == model.time:
            return model
        model = model.spec
    time = time or model.time
    if model.expansion is None:
        return CheckedModel(model, time, tuple(check_model(model, doc, time)), _MADE_BY_CHECK)
    return CheckedModel(model, time, tuple(in_file(check_model(model, None, time), model, doc)), _MADE_BY_CHECK)


def in_file(problems: list[Problem], model: ModelSpec, doc: YamlDocument | None) -> list[Problem]:
    """``problems`` found in ``model`` without its file, at their places in the file: a model
    expanded from dimensions names the file's node or link (and element), ``doc`` adds file and line."""
    out = []
    for problem in problems:
        if problem.path is not None and model.expansion is not None:
            path = origin_path(model.expansion, problem.path)
            problem = Problem(problem.file, format_place(path), problem.message, problem.hint, problem.line, path)
        out.append(doc.locate(problem) if doc is not None else problem)
    return unique(out) if model.expansion is not None else out


def checked(model: ModelSpec | CheckedModel, time: TimeSpec | None = None) -> CheckedModel:
    """:func:`check`, then refuse a model with problems (:class:`InputError`, before any work)."""
    return check(model, time).require()
