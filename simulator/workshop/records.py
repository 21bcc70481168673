"""What the workshop store hands out: plain, frozen records (no database objects)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass

from simulator.errors import InputError, Problem
from simulator.messages import msg

MAX_NAME = 80
"""Longest workshop, group or future name, in characters."""

MAX_NOTE = 20_000
"""Longest note, in characters."""

MAX_SCENARIO = 500_000
"""Longest scenario YAML of a future, in characters."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Notes:
    """A group's short note on a future: the question, what they expected, what they
    found and what they would decide."""

    question: str = ""
    expectation: str = ""
    found: str = ""
    decision: str = ""

    def checked(self) -> Notes:
        """The notes with surrounding space removed; refuses over-long or binary text."""
        values = {}
        for key, value in asdict(self).items():
            if not isinstance(value, str):
                raise InputError(Problem("", f"notes.{key}", msg("a note must be text")))
            if len(value) > MAX_NOTE:
                raise InputError(
                    Problem(
                        "",
                        f"notes.{key}",
                        msg("the note is longer than {n:,} characters", n=MAX_NOTE),
                        msg("shorten it"),
                    )
                )
            if "\x00" in value:
                raise InputError(Problem("", f"notes.{key}", msg("the note holds a NUL character")))
            values[key] = value.strip()
        return Notes(**values)


@dataclass(frozen=True)
class Workshop:
    """A workshop: its join code (canonical, without dash) and name."""

    id: int
    code: str
    name: str
    created_at: str


@dataclass(frozen=True)
class WorkshopSummary:
    """A workshop with counts, for listings."""

    code: str
    name: str
    created_at: str
    model_name: str
    n_groups: int
    n_futures: int
    n_versions: int


@dataclass(frozen=True)
class ModelVersion:
    """One model version a workshop has used: the YAML exactly as given, and its sha256."""

    id: int
    name: str
    sha256: str
    yaml: str
    created_at: str


@dataclass(frozen=True)
class StartScenario:
    """A scenario a workshop starts from."""

    position: int
    name: str
    yaml: str


@dataclass(frozen=True)
class FutureVersion:
    """One saved version of a group's future.

    Attributes
    ----------
    group, future : str
        Names as the group typed them (shown as text, never as markup).
    version : int
        1 for the first save, counting up per future.
    model_id, model_sha256 : int, str
        The model version it was made with.
    scenario_yaml : str
        The future as a scenario file (interventions and link overrides).
    notes : Notes
    content_sha256 : str
        Checksum of ``scenario_yaml`` and ``notes`` (see :func:`content_checksum`).
    save_id : str
        The saving client's id for this save; a repeated save returns the first.
    created_at : str
        ISO 8601, UTC.
    """

    group: str
    future: str
    version: int
    model_id: int
    model_sha256: str
    scenario_yaml: str
    notes: Notes
    content_sha256: str
    save_id: str
    created_at: str

    @property
    def label(self) -> str:
        """``group / future``."""
        return f"{self.group} / {self.future}"

    @property
    def intact(self) -> bool:
        """True when the stored content matches its checksum."""
        return content_checksum(self.scenario_yaml, self.notes) == self.content_sha256


def content_checksum(scenario_yaml: str, notes: Notes) -> str:
    """sha256 of a future's content: its scenario YAML and notes, as canonical JSON."""
    payload = json.dumps(
        {"scenario_yaml": scenario_yaml, "notes": asdict(notes)},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def clean_name(text: object, what: str) -> str:
    """A name as stored: spaces trimmed and collapsed; refuses empty, long or control text."""
    if not isinstance(text, str):
        raise InputError(Problem(what, "", msg("the {what} must be text", what=what)))
    name = " ".join(text.split())
    if not name:
        raise InputError(Problem(what, "", msg("the {what} is empty", what=what), msg("give a {what}", what=what)))
    if len(name) > MAX_NAME:
        raise InputError(
            Problem(
                what,
                "",
                msg("the {what} is longer than {n} characters", what=what, n=MAX_NAME),
                msg("use a shorter name"),
            )
        )
    if _CONTROL.search(name):
        raise InputError(
            Problem(what, "", msg("the {what} holds control characters", what=what), msg("use plain text"))
        )
    return name
