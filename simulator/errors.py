"""Errors raised by the simulator core.

One base class, :class:`SimulatorError`. Mistakes in a user's input are
:class:`InputError` (also a ``ValueError``) and carry every problem found, each
with the file, the place inside it and, where known, the line. Only the command
line and the app turn these into text for people, in the reader's language
(:meth:`Problem.render`, :meth:`InputError.describe`, :func:`error_text`): messages
are made with :func:`simulator.messages.msg`, English being the message id.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from simulator.messages import Text, msg, translate


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one input file.

    Attributes
    ----------
    file : str
        The file the problem is in ("" when the input did not come from a file).
    place : str
        A path inside the document, such as ``links[3].lag``; "" for the whole file.
    message : str
        What is wrong, with the offending value (a :func:`~simulator.messages.msg`, so it can be translated).
    hint : str
        What would be right ("" when nothing useful can be said; also a ``msg``).
    line : int | None
        1-based line number in the file, where it can be known.
    path : tuple
        ``place`` as keys and indices into the document (``("links", 3, "lag")``), where
        known: a problem found without the file can be given its file and line later
        (:meth:`simulator.io.yaml_file.YamlDocument.locate`). Not compared.
    """

    file: str
    place: str
    message: str
    hint: str = ""
    line: int | None = None
    path: tuple[Hashable, ...] | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return self.render("en")

    def render(self, language: str = "en") -> str:
        """``file:line: place: message (hint)`` with message and hint in ``language``."""
        where = _local(self.file, language) or translate(msg("<input>"), language)
        if self.line is not None:
            where += f":{self.line}"
        if self.place:
            where += f": {_local(self.place, language)}"
        text = f"{where}: {translate(self.message, language)}"
        if self.hint:
            text += f" ({translate(self.hint, language)})"
        return text


def _local(text: str, language: str) -> str:
    """A file or place name: translated when it is a message ("command line"), else as given (a path)."""
    return translate(text, language) if isinstance(text, Text) else text


class SimulatorError(Exception):
    """Base class of every error the simulator raises on purpose."""


class InputError(SimulatorError, ValueError):
    """One or more problems in user input (files, options, uploaded tables).

    Every problem found is collected and reported at once.
    """

    def __init__(self, problems: list[Problem] | Problem):
        self.problems: list[Problem] = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__(self.describe())

    def describe(self, language: str = "en") -> str:
        """The problems as a bulleted, human-readable list in ``language``."""
        if len(self.problems) == 1:
            return self.problems[0].render(language)
        return "\n".join(f"- {p.render(language)}" for p in self.problems)


class NumericalError(SimulatorError):
    """A run produced a non-finite value (overflow or NaN).

    Attributes
    ----------
    node : str
        Id of the first node that became non-finite.
    time : float
        Model time (years) of the step where it happened.
    member : int | None
        Ensemble member index, when the run was an ensemble.
    """

    def __init__(self, node: str, time: float, member: int | None = None, detail: str = ""):
        self.node, self.time, self.member = node, time, member
        if member is None:
            text = msg("the run blew up: node '{node}' at t={time:g} became non-finite", node=node, time=time)
        else:
            text = msg(
                "the run blew up: node '{node}' at t={time:g} (ensemble member {member}) became non-finite",
                node=node,
                time=time,
                member=member,
            )
        if detail:
            text = msg("{text}; {detail}", text=text, detail=detail)
        super().__init__(text)


class ErrorText(Text):
    """An error as a message: English as a ``str``, rendered in any language with :func:`error_text`."""

    error: BaseException

    def __new__(cls, error: BaseException) -> ErrorText:
        obj = str.__new__(cls, error_text(error, "en"))
        obj.template, obj.params, obj.error = None, {}, error
        return obj

    def __reduce__(self) -> tuple:
        return (ErrorText, (self.error,))

    def render(self, language: str) -> str:
        return error_text(self.error, language)


def error_text(exc: BaseException, language: str = "en") -> str:
    """What a person reads for ``exc``, in ``language``: every problem of an InputError, else its message."""
    if isinstance(exc, InputError):
        return exc.describe(language)
    return translate(exc.args[0] if len(exc.args) == 1 else str(exc), language)
