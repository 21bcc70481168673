"""Errors raised by the simulator core.

One base class, :class:`SimulatorError`. Mistakes in a user's input are
:class:`InputError` (also a ``ValueError``) and carry every problem found, each
with the file, the place inside it and, where known, the line. Only the command
line and the app turn these into text for people.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field


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
        What is wrong, with the offending value.
    hint : str
        What would be right ("" when nothing useful can be said).
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
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        if self.place:
            where += f": {self.place}"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class SimulatorError(Exception):
    """Base class of every error the simulator raises on purpose."""


class InputError(SimulatorError, ValueError):
    """One or more problems in user input (files, options, uploaded tables).

    Every problem found is collected and reported at once.
    """

    def __init__(self, problems: list[Problem] | Problem):
        self.problems: list[Problem] = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__(self.describe())

    def describe(self) -> str:
        """The problems as a bulleted, human-readable list."""
        if len(self.problems) == 1:
            return str(self.problems[0])
        return "\n".join(f"- {p}" for p in self.problems)


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
        where = f"node '{node}' at t={time:g}"
        if member is not None:
            where += f" (ensemble member {member})"
        text = f"the run blew up: {where} became non-finite"
        if detail:
            text += f"; {detail}"
        super().__init__(text)
