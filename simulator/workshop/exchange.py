"""Export a whole workshop (all futures, all versions) as one JSON file, and import it.

The file::

    {"format": "bwsim-workshop", "format_version": 1, "exported_at": "...",
     "workshop": {"name": "...", "code": "HX4KPR7T", "created_at": "..."},
     "models": [{"key": 1, "name": "...", "sha256": "...", "yaml": "...", "created_at": "..."}],
     "start_scenarios": [{"position": 0, "name": "...", "yaml": "..."}],
     "groups": [{"name": "...", "created_at": "...",
                 "futures": [{"name": "...", "created_at": "...",
                 "versions": [{"version": 1, "model": 1, "scenario_yaml": "...", "notes": {...},
                               "content_sha256": "...", "save_id": "...", "created_at": "..."}]}]}]}

Model and scenario texts are kept byte for byte, so a future re-run after
import gives exactly the same numbers. Import checks the whole file first and
then writes it in one transaction: all of it or nothing.
"""

from __future__ import annotations

import json
import stat
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from simulator.errors import InputError, Problem
from simulator.messages import msg
from simulator.workshop import schema as t
from simulator.workshop.codes import new_code, normalize_code
from simulator.workshop.export_file import FORMAT, FORMAT_VERSION, MAX_IMPORT_BYTES, check_export, read_json
from simulator.workshop.records import Workshop, clean_name
from simulator.workshop.store import WorkshopStore

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_IMPORT_BYTES",
    "export_text",
    "export_workshop",
    "import_workshop",
    "parse_export",
    "read_export",
]


def export_workshop(store: WorkshopStore, code: str) -> dict[str, Any]:
    """Everything of one workshop as a JSON-ready dict (see the module docstring).

    Read in one transaction: saves made at the same moment are in it whole or not at all.
    """
    with store.snapshot():
        return _export(store, code)


def _export(store: WorkshopStore, code: str) -> dict[str, Any]:
    workshop = store.workshop(code)
    models = store.models(code)
    groups: dict[str, dict[str, Any]] = {name: {"name": name, "futures": {}} for name in store.groups(code)}
    for version in store.versions(code):
        futures = groups[version.group]["futures"]
        future = futures.setdefault(version.future, {"name": version.future, "versions": []})
        future["versions"].append(
            {
                "version": version.version,
                "model": version.model_id,
                "scenario_yaml": version.scenario_yaml,
                "notes": asdict(version.notes),
                "content_sha256": version.content_sha256,
                "save_id": version.save_id,
                "created_at": version.created_at,
            }
        )
    stamps = _creation_times(store, workshop)
    for name, group in groups.items():
        group["created_at"] = stamps["groups"][name]
        group["futures"] = [dict(f, created_at=stamps["futures"][(name, f["name"])]) for f in group["futures"].values()]
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "workshop": {
            "name": workshop.name,
            "code": workshop.code,
            "created_at": workshop.created_at,
        },
        "models": [
            {
                "key": m.id,
                "name": m.name,
                "sha256": m.sha256,
                "yaml": m.yaml,
                "created_at": m.created_at,
            }
            for m in models
        ],
        "start_scenarios": [asdict(s) for s in store.start_scenarios(code)],
        "groups": list(groups.values()),
    }


def _creation_times(store: WorkshopStore, workshop: Workshop) -> dict[str, Any]:
    with store.reading() as conn:
        groups = {
            r.name: r.created_at for r in conn.execute(sa.select(t.groups).where(t.groups.c.workshop_id == workshop.id))
        }
        futures = {
            (r.group_name, r.name): r.created_at
            for r in conn.execute(
                sa.select(t.futures.c.name, t.futures.c.created_at, t.groups.c.name.label("group_name"))
                .join(t.groups, t.futures.c.group_id == t.groups.c.id)
                .where(t.futures.c.workshop_id == workshop.id)
            )
        }
    return {"groups": groups, "futures": futures}


def export_text(store: WorkshopStore, code: str) -> str:
    """The export as JSON text (UTF-8, indented)."""
    return json.dumps(export_workshop(store, code), ensure_ascii=False, indent=1) + "\n"


def _bad(source: str, place: str, message: str, hint: str = "") -> InputError:
    return InputError(Problem(source, place, message, hint))


def parse_export(text: str | bytes, source: str = "import") -> dict[str, Any]:
    """Parse and check an export file whole before anything is written; returns its data.

    Size and nesting are checked before the JSON is parsed, every field's type,
    length and range after (:mod:`simulator.workshop.export_file`), then the
    checksums, and every model and scenario in it as ``bwsim validate`` would.

    Raises
    ------
    InputError
        Not JSON, too large or too deep, not a workshop export, a newer format
        version, missing, mistyped or out-of-range fields, a checksum that does
        not match, or an embedded model or scenario that does not validate;
        each problem with its place in the file.
    """
    return check_export(read_json(text, source), source).model_dump()


def read_export(path: Path) -> dict[str, Any]:
    """Read and check an export file (:func:`parse_export`); its size and type are checked before reading.

    Raises
    ------
    InputError
        Missing, not a regular file (a folder, a device, a pipe), larger than
        :data:`MAX_IMPORT_BYTES`, or any problem :func:`parse_export` finds.
    """
    try:
        info = Path(path).stat()
        if not stat.S_ISREG(info.st_mode):
            raise _bad(
                str(path), "", msg("is not a regular file"), msg("give a file written by 'bwsim workshop export'")
            )
        if info.st_size > MAX_IMPORT_BYTES:
            raise _bad(
                str(path),
                "",
                msg("the file is larger than {n:,} bytes, too large for a workshop export", n=MAX_IMPORT_BYTES),
            )
        with open(path, "rb") as handle:
            raw = handle.read(MAX_IMPORT_BYTES + 1)
    except FileNotFoundError:
        raise _bad(str(path), "", msg("file not found"), msg("check the path")) from None
    except OSError as exc:
        raise _bad(str(path), "", msg("cannot read: {reason}", reason=exc.strerror or str(exc))) from None
    return parse_export(raw, str(path))


def import_workshop(store: WorkshopStore, data: dict[str, Any], keep_code: bool = True) -> Workshop:
    """Write a checked export (from :func:`parse_export`) as a new workshop, in one transaction.

    The join code is kept when ``keep_code`` and it is free in this database;
    otherwise a new one is drawn. Returns the new workshop.
    """
    name = clean_name(data["workshop"]["name"], msg("workshop name"))
    wanted = normalize_code(str(data["workshop"].get("code", ""))) if keep_code else None
    try:
        return _write_import(store, data, name, wanted)
    except IntegrityError:
        raise _bad(
            "import",
            "groups",
            msg("the export holds the same group, future or version twice"),
            msg("the file is damaged or was edited by hand"),
        ) from None
    except SQLAlchemyError as exc:
        raise store.db.error(exc, msg("cannot import the workshop")) from None


def _write_import(store: WorkshopStore, data: dict[str, Any], name: str, wanted: str | None) -> Workshop:
    with store.db.writing() as conn:
        code = wanted
        while (
            code is None
            or conn.execute(sa.select(t.workshops.c.id).where(t.workshops.c.code == code)).first() is not None
        ):
            code = new_code()
        created = str(data["workshop"].get("created_at", ""))
        wid = t.new_id(conn.execute(t.workshops.insert().values(code=code, name=name, created_at=created)))
        model_ids = {}
        for model in data["models"]:
            model_ids[model["key"]] = t.new_id(
                conn.execute(
                    t.workshop_models.insert().values(
                        workshop_id=wid,
                        name=model["name"],
                        sha256=model["sha256"],
                        yaml=model["yaml"],
                        created_at=model["created_at"],
                    )
                )
            )
        for position, start in enumerate(data.get("start_scenarios", [])):
            conn.execute(
                t.start_scenarios.insert().values(
                    workshop_id=wid, position=position, name=start["name"], yaml=start["yaml"]
                )
            )
        for group in data["groups"]:
            _import_group(conn, wid, group, model_ids)
        return Workshop(wid, code, name, created)


def _import_group(conn: sa.Connection, wid: int, group: dict[str, Any], model_ids: dict[int, int]) -> None:
    gid = t.new_id(
        conn.execute(
            t.groups.insert().values(
                workshop_id=wid,
                name=clean_name(group["name"], msg("group name")),
                created_at=str(group.get("created_at", "")),
            )
        )
    )
    for future in group["futures"]:
        fid = t.new_id(
            conn.execute(
                t.futures.insert().values(
                    workshop_id=wid,
                    group_id=gid,
                    name=clean_name(future["name"], msg("future name")),
                    created_at=str(future.get("created_at", "")),
                )
            )
        )
        for version in future["versions"]:
            notes = version["notes"]
            conn.execute(
                t.future_versions.insert().values(
                    future_id=fid,
                    version=version["version"],
                    model_id=model_ids[version["model"]],
                    scenario_yaml=version["scenario_yaml"],
                    question=notes["question"],
                    expectation=notes["expectation"],
                    found=notes["found"],
                    decision=notes["decision"],
                    content_sha256=version["content_sha256"],
                    save_id=str(version.get("save_id") or uuid.uuid4().hex),
                    created_at=str(version.get("created_at", "")),
                )
            )
