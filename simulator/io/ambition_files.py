"""Read an ambitions file into a validated spec, resolved against its model, or explain what is wrong.

Every problem names the file, the place (``ambitions[2].place``), the line and
the fix (docs/formats.md, "Ambitions"). The file beside a model is
``<model>.ambitions.yaml`` (:func:`ambitions_beside`): a scorecard reads it by default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import ValidationError

from simulator.ambitions import Ambition, AmbitionsSpec, ambition_problems, horizon_problems, resolve_node
from simulator.errors import InputError, Problem
from simulator.io.spec_files import _problem_from_error, did_you_mean
from simulator.io.yaml_file import YamlDocument, parse_yaml, read_yaml
from simulator.messages import msg
from simulator.spec import ModelSpec, TimeSpec

SUFFIX = ".ambitions.yaml"

_KEYS = sorted({field.alias or name for cls in (Ambition, AmbitionsSpec) for name, field in cls.model_fields.items()})


@dataclass(frozen=True)
class AmbitionsFile:
    """An ambitions file read and checked against a model.

    Attributes
    ----------
    spec : AmbitionsSpec
    path : str
    document : YamlDocument
    nodes : tuple of str
        The node id each ambition names, in order.
    """

    spec: AmbitionsSpec
    path: str
    document: YamlDocument
    nodes: tuple[str, ...]

    def horizon_problems(self, time: TimeSpec, scenario: str) -> list[Problem]:
        """An ambition's year outside the horizon of the scenario ``scenario``, with file and line."""
        return [self.document.locate(p) for p in horizon_problems(self.spec, time, scenario)]


def ambitions_beside(model_path: str | Path) -> Path:
    """``models/x.yaml`` -> ``models/x.ambitions.yaml`` (the file a scorecard reads by default)."""
    path = Path(model_path)
    return (
        path.with_name(path.stem + SUFFIX) if path.suffix in (".yaml", ".yml") else path.with_name(path.name + SUFFIX)
    )


def _schema(doc: YamlDocument) -> AmbitionsSpec:
    if not isinstance(doc.data, dict):
        raise InputError(
            doc.problem(
                (),
                msg("expected a mapping of keys, got {kind}", kind=type(doc.data).__name__),
                msg("an ambitions file is a YAML mapping with the key ambitions: a list"),
            )
        )
    if "ambitions" not in doc.data:
        raise InputError(
            doc.problem(
                (),
                msg("this is not an ambitions file: it has no key 'ambitions'"),
                msg(
                    "an ambitions file is a YAML mapping with the key ambitions: a list of "
                    "{{indicator, year, and below, above, at_most, at_least or direction}}"
                ),
            )
        )
    try:
        return AmbitionsSpec.model_validate(doc.data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            problem = _problem_from_error(doc, error)
            if error["type"] == "extra_forbidden":  # the hint names an ambitions file's keys, not a model's
                key = str(error["loc"][-1]) if error["loc"] else ""
                problem = replace(
                    problem,
                    hint=did_you_mean(key, set(_KEYS) - {key})
                    or msg(
                        "an ambition takes {keys}; remove it, or check the spelling",
                        keys=", ".join(k for k in Ambition.model_fields),
                    ),
                )
            elif error["type"] == "too_short" and error["loc"] == ("ambitions",):
                problem = replace(
                    problem,
                    message=msg("the list of ambitions is empty"),
                    hint=msg("add an ambition: indicator, year and a target (docs/formats.md)"),
                )
            problems.append(problem)
        raise InputError(problems) from None


Horizon = tuple[TimeSpec, str]
"""A scenario's horizon and its name: the ambitions' years must lie in it."""


def ambitions_from_document(doc: YamlDocument, model: ModelSpec, horizons: Sequence[Horizon] = ()) -> AmbitionsFile:
    """Validate a parsed ambitions document against ``model`` and the horizons of the scenarios it is read for.

    Raises
    ------
    InputError
        Every schema problem, unknown indicator or place, year outside a horizon, each with file, place and line.
    """
    spec = _schema(doc)
    problems = [doc.locate(p) for p in ambition_problems(spec, model)]
    for time, scenario in horizons:
        problems += [doc.locate(p) for p in horizon_problems(spec, time, scenario)]
    if problems:
        raise InputError(problems)
    nodes = tuple(resolve_node(a, model, i)[0] or "" for i, a in enumerate(spec.ambitions))
    return AmbitionsFile(spec, doc.file, doc, nodes)


def _empty(exc: InputError, file: str) -> InputError:
    """The YAML reader's "the file is empty", with an ambitions file's hint."""
    empty = str(msg("the file is empty"))
    if len(exc.problems) == 1 and str(exc.problems[0].message) == empty:
        return InputError(
            Problem(
                file,
                "",
                msg("the file is empty"),
                msg(
                    "an ambitions file is a YAML mapping with the key ambitions: a list of "
                    "{{indicator, year, and below, above, at_most, at_least or direction}}"
                ),
            )
        )
    return exc


def load_ambitions(path: str | Path, model: ModelSpec, horizons: Sequence[Horizon] = ()) -> AmbitionsFile:
    """Read and validate an ambitions file against ``model`` (and the scenarios' ``horizons``).

    Raises
    ------
    InputError
        The file is missing or unreadable, empty, not YAML, or has problems (each with file, place and line).
    """
    if not Path(path).exists():
        raise InputError(
            Problem(
                str(path),
                "",
                msg("ambitions file not found"),
                msg("give an existing file with --ambitions, or write {name} beside the model", name=Path(path).name),
            )
        )
    try:
        doc, _ = read_yaml(path)
    except InputError as exc:
        raise _empty(exc, str(path)) from None
    return ambitions_from_document(doc, model, horizons)


def load_ambitions_text(text: str, name: str, model: ModelSpec, horizons: Sequence[Horizon] = ()) -> AmbitionsFile:
    """Validate ambitions given as text (an upload); ``name`` is used in messages."""
    try:
        doc = parse_yaml(text, name)
    except InputError as exc:
        raise _empty(exc, name) from None
    return ambitions_from_document(doc, model, horizons)
