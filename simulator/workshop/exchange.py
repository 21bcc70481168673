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
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from hashlib import sha256
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from simulator.errors import InputError, Problem
from simulator.messages import msg
from simulator.workshop import schema as t
from simulator.workshop.codes import new_code, normalize_code
from simulator.workshop.records import Notes, Workshop, clean_name, content_checksum
from simulator.workshop.store import WorkshopStore

FORMAT = "bwsim-workshop"
FORMAT_VERSION = 1
MAX_IMPORT_BYTES = 200_000_000


def export_workshop(store: WorkshopStore, code: str) -> dict[str, Any]:
    """Everything of one workshop as a JSON-ready dict (see the module docstring).

    Read in one transaction: saves made at the same moment are in it whole or not at all.
    """
    with store.snapshot():
        return _export(store, code)


def _export(store: WorkshopStore, code: str) -> dict[str, Any]:
    workshop = store.workshop(code)
    models = store.models(code)
    groups: dict[str, dict[str, Any]] = {
        name: {"name": name, "futures": {}} for name in store.groups(code)
    }
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
        group["futures"] = [
            dict(f, created_at=stamps["futures"][(name, f["name"])])
            for f in group["futures"].values()
        ]
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
            r.name: r.created_at
            for r in conn.execute(sa.select(t.groups).where(t.groups.c.workshop_id == workshop.id))
        }
        futures = {
            (r.group_name, r.name): r.created_at
            for r in conn.execute(
                sa.select(
                    t.futures.c.name, t.futures.c.created_at, t.groups.c.name.label("group_name")
                )
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
    """Parse and check an export file; returns its data.

    Raises
    ------
    InputError
        Not JSON, not a workshop export, a newer format version, missing or
        mistyped fields, or a model or future whose checksum does not match.
    """
    if len(text) > MAX_IMPORT_BYTES:
        raise _bad(source, "", msg("the file is too large for a workshop export"))
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _bad(
            source, "", msg("not a JSON file ({reason})", reason=str(exc)),
            msg("give a file written by 'bwsim workshop export'")
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _bad(
            source,
            "format",
            msg("this is not a bwsim workshop export"),
            msg("give a file written by 'bwsim workshop export'"),
        )
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _bad(source, "format_version", msg("unknown format version {version}", version=repr(version)))
    if version > FORMAT_VERSION:
        raise _bad(
            source,
            "format_version",
            msg("written by a newer bwsim (format version {version}; this bwsim reads up to {known})",
                version=version, known=FORMAT_VERSION),
            msg("update bwsim to import it"),
        )
    _check_structure(data, source)
    return data


def _need(value: Any, kind: type, source: str, place: str) -> Any:
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _bad(
            source,
            place,
            msg("expected {expected}, got {kind}", expected=kind.__name__, kind=type(value).__name__),
            msg("the file is damaged or was edited by hand"),
        )
    return value


def _check_structure(data: dict[str, Any], source: str) -> None:
    workshop = _need(data.get("workshop"), dict, source, "workshop")
    _need(workshop.get("name"), str, source, "workshop.name")
    models = _need(data.get("models"), list, source, "models")
    if not models:
        raise _bad(source, "models", msg("the export holds no model"))
    keys = set()
    for i, model in enumerate(models):
        place = f"models[{i}]"
        _need(model, dict, source, place)
        for field in ("name", "sha256", "yaml", "created_at"):
            _need(model.get(field), str, source, f"{place}.{field}")
        keys.add(_need(model.get("key"), int, source, f"{place}.key"))
        if sha256(model["yaml"].encode("utf-8")).hexdigest() != model["sha256"]:
            raise _bad(
                source, place, msg("the model text does not match its sha256"), msg("the file is damaged")
            )
    for i, start in enumerate(
        _need(data.get("start_scenarios", []), list, source, "start_scenarios")
    ):
        _need(start, dict, source, f"start_scenarios[{i}]")
        _need(start.get("name"), str, source, f"start_scenarios[{i}].name")
        _need(start.get("yaml"), str, source, f"start_scenarios[{i}].yaml")
    for i, group in enumerate(_need(data.get("groups"), list, source, "groups")):
        _check_group(group, keys, source, f"groups[{i}]")


def _check_group(group: Any, keys: set[int], source: str, place: str) -> None:
    _need(group, dict, source, place)
    _need(group.get("name"), str, source, f"{place}.name")
    for j, future in enumerate(_need(group.get("futures"), list, source, f"{place}.futures")):
        fplace = f"{place}.futures[{j}]"
        _need(future, dict, source, fplace)
        _need(future.get("name"), str, source, f"{fplace}.name")
        for k, version in enumerate(
            _need(future.get("versions"), list, source, f"{fplace}.versions")
        ):
            vplace = f"{fplace}.versions[{k}]"
            _need(version, dict, source, vplace)
            _need(version.get("version"), int, source, f"{vplace}.version")
            _need(version.get("scenario_yaml"), str, source, f"{vplace}.scenario_yaml")
            notes = _need(version.get("notes"), dict, source, f"{vplace}.notes")
            if set(notes) != {"question", "expectation", "found", "decision"} or not all(
                isinstance(v, str) for v in notes.values()
            ):
                raise _bad(
                    source,
                    f"{vplace}.notes",
                    msg("notes need exactly question, expectation, found, decision as text"),
                )
            if version.get("model") not in keys:
                raise _bad(
                    source,
                    f"{vplace}.model",
                    msg("refers to model {model}, which the export does not hold", model=repr(version.get("model"))),
                )
            if content_checksum(version["scenario_yaml"], Notes(**notes)) != version.get(
                "content_sha256"
            ):
                raise _bad(
                    source,
                    vplace,
                    msg("the future's content does not match its checksum"),
                    msg("the file is damaged"),
                )


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


def _write_import(
    store: WorkshopStore, data: dict[str, Any], name: str, wanted: str | None
) -> Workshop:
    with store.db.writing() as conn:
        code = wanted
        while (
            code is None
            or conn.execute(sa.select(t.workshops.c.id).where(t.workshops.c.code == code)).first()
            is not None
        ):
            code = new_code()
        created = str(data["workshop"].get("created_at", ""))
        wid = conn.execute(
            t.workshops.insert().values(code=code, name=name, created_at=created)
        ).inserted_primary_key[0]
        model_ids = {}
        for model in data["models"]:
            model_ids[model["key"]] = conn.execute(
                t.workshop_models.insert().values(
                    workshop_id=wid,
                    name=model["name"],
                    sha256=model["sha256"],
                    yaml=model["yaml"],
                    created_at=model["created_at"],
                )
            ).inserted_primary_key[0]
        for position, start in enumerate(data.get("start_scenarios", [])):
            conn.execute(
                t.start_scenarios.insert().values(
                    workshop_id=wid, position=position, name=start["name"], yaml=start["yaml"]
                )
            )
        for group in data["groups"]:
            _import_group(conn, wid, group, model_ids)
        return Workshop(wid, code, name, created)


def _import_group(
    conn: sa.Connection, wid: int, group: dict[str, Any], model_ids: dict[int, int]
) -> None:
    gid = conn.execute(
        t.groups.insert().values(
            workshop_id=wid,
            name=clean_name(group["name"], msg("group name")),
            created_at=str(group.get("created_at", "")),
        )
    ).inserted_primary_key[0]
    for future in group["futures"]:
        fid = conn.execute(
            t.futures.insert().values(
                workshop_id=wid,
                group_id=gid,
                name=clean_name(future["name"], msg("future name")),
                created_at=str(future.get("created_at", "")),
            )
        ).inserted_primary_key[0]
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
