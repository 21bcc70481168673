"""What a workshop export file may hold: its shape, with size, depth and range limits, checked before use.

An export comes from outside (a file someone sends, an upload on the
facilitator's page), so nothing in it is trusted: :func:`read_json` refuses
text that is too large or nested too deeply before :func:`json.loads` can run
out of memory or recursion; :class:`ExportFile` (pydantic, strict) gives every
field its type, length and range; :func:`content_problems` checks the
checksums and references; :func:`embedded_problems` validates every model and
scenario in it as ``bwsim validate`` would, each problem with its place in the
file.
"""

from __future__ import annotations

import json
import re
from hashlib import sha256
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from simulator.errors import InputError, Problem
from simulator.io.spec_files import ModelFile, load_model_text, load_scenario_text
from simulator.io.yaml_file import MAX_FILE_BYTES
from simulator.messages import msg
from simulator.workshop.records import MAX_NOTE, MAX_SCENARIO, Notes, content_checksum

FORMAT = "bwsim-workshop"
FORMAT_VERSION = 1

MAX_IMPORT_BYTES = 50_000_000
"""Largest export file read, in bytes (a workshop of a thousand futures is a few MB)."""

MAX_DEPTH = 32
"""Deepest nesting of JSON objects and arrays read (an export needs 7)."""

MAX_VERSION = 2**31 - 1
"""Largest version number (the database column is a 32-bit integer)."""

MAX_SHOWN = 30
"""Most problems listed for one file (the rest are counted)."""

_TEXT = 1_000  # names and stamps as stored are far shorter; clean_name refuses more than 80 characters
_STAMP = 40
_SHA256 = r"^[0-9a-f]{64}$"
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_LEAF = re.compile(r"\[\]|\{\}")


class _Part(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class NotesPart(_Part):
    """A version's four notes: each text of at most :data:`MAX_NOTE` characters."""

    model_config = ConfigDict(strict=True, extra="forbid")

    question: str = Field(max_length=MAX_NOTE)
    expectation: str = Field(max_length=MAX_NOTE)
    found: str = Field(max_length=MAX_NOTE)
    decision: str = Field(max_length=MAX_NOTE)


class VersionPart(_Part):
    """One saved version of a future."""

    version: int = Field(ge=1, le=MAX_VERSION)
    model: int = Field(ge=0, le=2**63 - 1)
    scenario_yaml: str = Field(max_length=MAX_SCENARIO)
    notes: NotesPart
    content_sha256: str = Field(pattern=_SHA256)
    save_id: str | None = Field(None, max_length=64)
    created_at: str = Field("", max_length=_STAMP)


class FuturePart(_Part):
    """A group's future and all its versions."""

    name: str = Field(max_length=_TEXT)
    created_at: str = Field("", max_length=_STAMP)
    versions: list[VersionPart] = Field(max_length=10_000)


class GroupPart(_Part):
    """A group and its futures."""

    name: str = Field(max_length=_TEXT)
    created_at: str = Field("", max_length=_STAMP)
    futures: list[FuturePart] = Field(max_length=1_000)


class ModelPart(_Part):
    """One model version: its YAML exactly as used, and the sha256 of that text."""

    key: int = Field(ge=0, le=2**63 - 1)
    name: str = Field(max_length=_TEXT)
    sha256: str = Field(pattern=_SHA256)
    yaml: str = Field(max_length=MAX_FILE_BYTES)
    created_at: str = Field(max_length=_STAMP)


class StartPart(_Part):
    """A scenario the workshop starts from."""

    position: int | None = Field(None, ge=0, le=MAX_VERSION)
    name: str = Field(max_length=_TEXT)
    yaml: str = Field(max_length=MAX_SCENARIO)


class WorkshopPart(_Part):
    """The workshop's name, join code and creation time."""

    name: str = Field(max_length=_TEXT)
    code: str = Field("", max_length=32)
    created_at: str = Field("", max_length=_STAMP)


class ExportFile(_Part):
    """A whole workshop export (the format in :mod:`simulator.workshop.exchange`)."""

    format: str = Field(max_length=_TEXT)
    format_version: int = Field(ge=1, le=FORMAT_VERSION)
    exported_at: str = Field("", max_length=_STAMP)
    workshop: WorkshopPart
    models: list[ModelPart] = Field(min_length=1, max_length=1_000)
    start_scenarios: list[StartPart] = Field(default_factory=list, max_length=100)
    groups: list[GroupPart] = Field(max_length=1_000)


def _bad(source: str, place: str, message: str, hint: str = "") -> InputError:
    return InputError(Problem(source, place, message, hint))


def nesting_depth(text: str, limit: int = MAX_DEPTH) -> int:
    """How deeply the JSON ``text`` nests objects and arrays (brackets inside strings do not count).

    Counts at most ``limit + 1`` levels, in time linear in the text, without recursion.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for depth in range(limit + 1):
        shorter = _LEAF.sub("", brackets)
        if len(shorter) == len(brackets):  # empty, or unbalanced (the JSON parser then says so)
            return depth
        brackets = shorter
    return limit + 1 if brackets else limit


def read_json(text: str | bytes, source: str) -> Any:
    """Parse JSON text after checking its size and depth.

    Raises
    ------
    InputError
        More than :data:`MAX_IMPORT_BYTES`, not UTF-8, nested deeper than
        :data:`MAX_DEPTH`, or not JSON.
    """
    if len(text) > MAX_IMPORT_BYTES:
        raise _bad(
            source, "", msg("the file is larger than {n:,} bytes, too large for a workshop export", n=MAX_IMPORT_BYTES)
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _bad(
                source,
                "",
                msg("not a JSON file (not UTF-8 text)"),
                msg("give a file written by 'bwsim workshop export'"),
            ) from None
    if nesting_depth(text) > MAX_DEPTH:
        raise _bad(
            source,
            "",
            msg("the JSON nests deeper than {depth} levels; a workshop export needs 7", depth=MAX_DEPTH),
            msg("give a file written by 'bwsim workshop export'"),
        )
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _bad(
            source,
            "",
            msg("not a JSON file ({reason})", reason=str(exc)),
            msg("give a file written by 'bwsim workshop export'"),
        ) from None
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise _bad(
            source,
            "",
            msg("the file holds text that is not valid Unicode (an unpaired \\uD800-\\uDFFF escape)"),
            msg("give a file written by 'bwsim workshop export'"),
        ) from None
    return data


def _place(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


_KINDS = {
    "list_type": "list",
    "dict_type": "dict",
    "model_type": "dict",
    "model_attributes_type": "dict",
    "string_type": "str",
    "int_type": "int",
}


def _message(error: ErrorDetails) -> str:
    kind = _KINDS.get(error["type"])
    if kind is not None:
        return f"expected {kind}, got {type(error['input']).__name__}"
    if error["type"] == "missing":
        return "missing"
    return error["msg"][0].lower() + error["msg"][1:]


def shape_problems(data: Any, source: str) -> tuple[ExportFile | None, list[Problem]]:
    """The export's data checked field by field: types, lengths, ranges."""
    try:
        return ExportFile.model_validate(data), []
    except ValidationError as exc:
        hint = "the file is damaged or was edited by hand"
        return None, [Problem(source, _place(e["loc"]), _message(e), hint) for e in exc.errors()]


def content_problems(export: ExportFile, source: str) -> list[Problem]:
    """Checksums of every model and future, and every version's model present."""
    problems = []
    keys = {m.key for m in export.models}
    for i, model in enumerate(export.models):
        if sha256(model.yaml.encode("utf-8")).hexdigest() != model.sha256:
            problems.append(
                Problem(
                    source, f"models[{i}]", msg("the model text does not match its sha256"), msg("the file is damaged")
                )
            )
    for place, version in _versions(export):
        if version.model not in keys:
            problems.append(
                Problem(
                    source,
                    f"{place}.model",
                    msg("refers to model {model}, which the export does not hold", model=repr(version.model)),
                )
            )
        if content_checksum(version.scenario_yaml, Notes(**version.notes.model_dump())) != version.content_sha256:
            problems.append(
                Problem(
                    source, place, msg("the future's content does not match its checksum"), msg("the file is damaged")
                )
            )
    return problems


def _versions(export: ExportFile) -> list[tuple[str, VersionPart]]:
    return [
        (f"groups[{i}].futures[{j}].versions[{k}]", version)
        for i, group in enumerate(export.groups)
        for j, future in enumerate(group.futures)
        for k, version in enumerate(future.versions)
    ]


def _located(exc: InputError, source: str, place: str) -> list[Problem]:
    """Problems of an embedded YAML text, placed in the export file."""
    out = []
    for p in exc.problems:
        where = place + (f" line {p.line}" if p.line is not None else "") + (f": {p.place}" if p.place else "")
        out.append(Problem(source, where, p.message, p.hint))
    return out


def embedded_problems(export: ExportFile, source: str) -> list[Problem]:
    """Every model, start scenario and future version validated as ``bwsim validate`` would.

    Start scenarios are checked against the current (newest) model, each
    version against the model it was made with.
    """
    problems: list[Problem] = []
    models: dict[int, ModelFile] = {}
    for i, model in enumerate(export.models):
        try:
            models[model.key] = load_model_text(model.yaml, f"{source}: models[{i}].yaml")
        except InputError as exc:
            problems += _located(exc, source, f"models[{i}].yaml")
    current = models.get(export.models[-1].key)
    if current is not None:
        for i, start in enumerate(export.start_scenarios):
            try:
                load_scenario_text(start.yaml, f"start_scenarios[{i}].yaml", current)
            except InputError as exc:
                problems += _located(exc, source, f"start_scenarios[{i}].yaml")
    checked: set[tuple[str, int]] = set()
    for place, version in _versions(export):
        made_with = models.get(version.model)
        if made_with is None or (version.scenario_yaml, version.model) in checked:
            continue
        checked.add((version.scenario_yaml, version.model))
        try:
            load_scenario_text(version.scenario_yaml, f"{place}.scenario_yaml", made_with)
        except InputError as exc:
            problems += _located(exc, source, f"{place}.scenario_yaml")
    return problems


def check_export(data: Any, source: str) -> ExportFile:
    """The parsed JSON of an export, checked whole: shape, checksums, and every model and scenario in it.

    Raises
    ------
    InputError
        Not a workshop export, a newer format, or every problem found, each
        with its place in the file (at most :data:`MAX_SHOWN` listed).
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _bad(
            source,
            "format",
            msg("this is not a bwsim workshop export"),
            msg("give a file written by 'bwsim workshop export'"),
        )
    version = data.get("format_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise _bad(
            source,
            "format_version",
            msg(
                "written by a newer bwsim (format version {version}; this bwsim reads up to {known})",
                version=version,
                known=FORMAT_VERSION,
            ),
            msg("update bwsim to import it"),
        )
    export, problems = shape_problems(data, source)
    if export is not None:
        problems = content_problems(export, source) or embedded_problems(export, source)
    if export is None or problems:
        shown = problems[:MAX_SHOWN]
        if len(problems) > MAX_SHOWN:
            shown.append(Problem(source, "", msg("and {n} more problems", n=len(problems) - MAX_SHOWN)))
        raise InputError(shown)
    return export
