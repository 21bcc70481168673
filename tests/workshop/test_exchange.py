"""Export then import reproduces every future exactly; bad import files change nothing."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simulator.errors import InputError
from simulator.workshop.exchange import (
    FORMAT_VERSION,
    export_text,
    export_workshop,
    import_workshop,
    parse_export,
)
from simulator.workshop.futures import model_file, run_future, run_version
from simulator.workshop.records import Notes
from simulator.workshop.store import WorkshopStore

from .helpers import MODEL_V2_YAML, future_yaml


@pytest.fixture
def filled(store: WorkshopStore, workshop_code: str) -> str:
    """A workshop with two model versions, two groups, several futures and versions."""
    store.save_future(workshop_code, "A", "Groen", future_yaml(10), Notes("v?", "meer", "minder", "stop"))
    store.save_future(workshop_code, "A", "Groen", future_yaml(12, weight=1.5), Notes("v2", "", "", ""))
    store.add_model(workshop_code, MODEL_V2_YAML)
    store.save_future(workshop_code, "B", "<b>Grijs</b>", future_yaml(7, weight=0.7), Notes("'; --", "", "", ""))
    store.save_future(workshop_code, "A", "Groen", future_yaml(13), Notes("v3", "", "", ""))
    return workshop_code


def _runs(store: WorkshopStore, code: str) -> dict[tuple[str, str, int], np.ndarray]:
    models = {m.id: m for m in store.models(code)}
    return {
        (v.group, v.future, v.version): run_version(v, model_file(models[v.model_id])).delta
        for v in store.versions(code)
    }


def _strip_ids(data: dict) -> dict:
    """The export without what legitimately differs between databases (ids, code, export time)."""
    data = json.loads(json.dumps(data))
    data.pop("exported_at")
    data["workshop"].pop("code")
    keys = {m.pop("key"): i for i, m in enumerate(data["models"])}
    for group in data["groups"]:
        for future in group["futures"]:
            for version in future["versions"]:
                version["model"] = keys[version["model"]]
    return data


@pytest.mark.parametrize("into", ["sqlite", "same"])
def test_export_then_import_reproduces_every_future_exactly(store: WorkshopStore, filled: str, tmp_path, into: str):
    text = export_text(store, filled)
    target = store if into == "same" else WorkshopStore(tmp_path / "elders.sqlite")
    imported = import_workshop(target, parse_export(text))
    if into == "same":
        assert imported.code != filled  # the code was taken here, so a new one is drawn
    else:
        assert imported.code == filled  # a free code is kept, so groups can go on with it
    assert _strip_ids(export_workshop(target, imported.code)) == _strip_ids(json.loads(text))
    assert target.versions(imported.code) != []
    before, after = _runs(store, filled), _runs(target, imported.code)
    assert before.keys() == after.keys() and len(before) == 4
    for key in before:
        assert np.array_equal(before[key], after[key]), key
    old, new = store.current_model(filled), target.current_model(imported.code)
    assert (old.sha256, old.yaml) == (new.sha256, new.yaml)


def test_export_holds_every_version_and_model(store: WorkshopStore, filled: str):
    data = export_workshop(store, filled)
    assert data["format"] == "bwsim-workshop" and data["format_version"] == FORMAT_VERSION
    assert len(data["models"]) == 2
    futures = {
        (g["name"], f["name"]): [v["version"] for v in f["versions"]] for g in data["groups"] for f in g["futures"]
    }
    assert futures == {("A", "Groen"): [1, 2, 3], ("B", "<b>Grijs</b>"): [1]}


def _damage(data: dict, how: str) -> str:
    if how == "not-json":
        return "{ dit is geen json"
    if how == "not-export":
        return json.dumps({"name": "medtech-heerlen", "nodes": []})
    if how == "newer":
        data["format_version"] = FORMAT_VERSION + 1
    if how == "tampered-future":
        data["groups"][0]["futures"][0]["versions"][0]["scenario_yaml"] += "# changed\n"
    if how == "tampered-model":
        data["models"][0]["yaml"] += "\n"
    if how == "missing-model":
        data["models"] = data["models"][1:]
    if how == "wrong-type":
        data["groups"][0]["futures"] = "many"
    if how == "duplicate-future":
        futures = data["groups"][0]["futures"]
        futures.append(futures[0])
    return json.dumps(data)


@pytest.mark.parametrize(
    "how, message",
    [
        ("not-json", "not a JSON file"),
        ("not-export", "not a bwsim workshop export"),
        ("newer", "written by a newer bwsim"),
        ("tampered-future", "does not match its checksum"),
        ("tampered-model", "does not match its sha256"),
        ("missing-model", "does not hold"),
        ("wrong-type", "expected list"),
        ("duplicate-future", "the same group, future or version twice"),
    ],
)
def test_a_bad_import_is_refused_and_changes_nothing(store: WorkshopStore, filled: str, how: str, message: str):
    before = export_workshop(store, filled)
    text = _damage(export_workshop(store, filled), how)
    with pytest.raises(InputError, match=message):
        import_workshop(store, parse_export(text, "bad.json"))
    assert [s.code for s in store.list_workshops()] == [filled[:4] + "-" + filled[4:]]
    assert _strip_ids(export_workshop(store, filled)) == _strip_ids(before)


def test_an_import_with_a_model_that_does_not_validate_is_refused_with_its_place(store: WorkshopStore, filled: str):
    """A model from another bwsim (here: an unknown key) is refused as ``bwsim validate`` would."""
    from hashlib import sha256

    data = export_workshop(store, filled)
    for model in data["models"]:
        model["yaml"] = model["yaml"].replace("name: tiny", "name: tiny\nnew_key_of_a_newer_bwsim: 1")
        model["sha256"] = sha256(model["yaml"].encode("utf-8")).hexdigest()
    with pytest.raises(InputError) as info:
        parse_export(json.dumps(data), "old.json")
    assert [str(p) for p in info.value.problems] == [
        f"old.json: models[{i}].yaml line 2: new_key_of_a_newer_bwsim: unknown key "
        "'new_key_of_a_newer_bwsim' (remove it, or check the spelling)"
        for i in range(2)
    ]


def test_a_stored_model_that_no_longer_validates_is_kept_and_named(store: WorkshopStore, filled: str):
    """A database written by another bwsim: its models stay as history; runs say why they cannot run."""
    import sqlalchemy as sa

    from simulator.workshop import schema
    from simulator.workshop.compare import compare_workshop

    with store.db.writing() as conn:
        conn.execute(
            schema.workshop_models.update().values(
                yaml=sa.func.replace(
                    schema.workshop_models.c.yaml, "name: tiny", "name: tiny\nnew_key_of_a_newer_bwsim: 1"
                )
            )
        )
    versions = store.versions(filled)
    assert len(versions) == 4
    with pytest.raises(
        InputError,
        match="(?s)unknown key 'new_key_of_a_newer_bwsim'.*current model does not validate",
    ):
        compare_workshop(store, filled)
    run = run_future(
        versions[0],
        store.model_version(filled, versions[0].model_id),
        store.current_model(filled),
    )
    assert run.result is None and "unknown key" in run.problems[0]


def test_an_export_is_one_snapshot(store: WorkshopStore, workshop_code: str, monkeypatch):
    """A group that joins and saves while an export runs is in it whole or not at all."""
    listed = store.groups

    def groups_then_someone_saves(code: str) -> list[str]:
        names = listed(code)
        store.join(workshop_code, "laat")  # another connection, in the middle of the export
        store.save_future(workshop_code, "laat", "f", future_yaml(1))
        return names

    monkeypatch.setattr(store, "groups", groups_then_someone_saves)
    data = parse_export(export_text(store, workshop_code))
    assert [g["name"] for g in data["groups"]] == ["A", "B"]
    monkeypatch.undo()
    assert store.groups(workshop_code) == ["A", "B", "laat"]


# --- crafted imports: refused before use, with the place, and nothing written --------------------


def _version_of(data: dict) -> dict:
    return data["groups"][0]["futures"][0]["versions"][0]


def _resum(version: dict) -> None:
    """Make a crafted version's checksum match again, as an attacker would."""
    from simulator.workshop.records import content_checksum

    version["content_sha256"] = content_checksum(version["scenario_yaml"], Notes(**version["notes"]))


def _crafted(data: dict, how: str) -> str:
    version = _version_of(data)
    if how == "deep":
        return json.dumps(data)[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    if how == "huge-version":
        version["version"] = 10**30
    if how == "negative-version":
        version["version"] = -5
    if how == "bool-version":
        version["version"] = True
    if how == "long-note":
        version["notes"]["found"] = "x" * 3_000_000
        _resum(version)
    if how == "invalid-future":
        version["scenario_yaml"] = version["scenario_yaml"].replace("node: x", "node: nope")
        _resum(version)
    if how == "bad-sha":
        data["models"][0]["sha256"] = "not a checksum"
    return json.dumps(data)


@pytest.mark.parametrize(
    "how, place, message",
    [
        ("deep", "", "nests deeper than 32 levels"),
        ("huge-version", "groups[0].futures[0].versions[0].version", "less than or equal to 2147483647"),
        ("negative-version", "groups[0].futures[0].versions[0].version", "greater than or equal to 1"),
        ("bool-version", "groups[0].futures[0].versions[0].version", "expected int, got bool"),
        ("long-note", "groups[0].futures[0].versions[0].notes.found", "at most 20000 characters"),
        (
            "invalid-future",
            "groups[0].futures[0].versions[0].scenario_yaml line 4: interventions[0].node",
            "unknown node 'nope'",
        ),
        ("bad-sha", "models[0].sha256", "should match pattern"),
    ],
)
def test_a_crafted_import_is_refused_with_its_place_and_changes_nothing(
    store: WorkshopStore, filled: str, how: str, place: str, message: str
):
    before = export_workshop(store, filled)
    with pytest.raises(InputError) as info:
        parse_export(_crafted(export_workshop(store, filled), how), "crafted.json")
    problem = info.value.problems[0]
    assert (problem.file, problem.place) == ("crafted.json", place)
    assert message in problem.message
    assert [s.code for s in store.list_workshops()] == [filled[:4] + "-" + filled[4:]]
    assert _strip_ids(export_workshop(store, filled)) == _strip_ids(before)


def test_after_an_import_the_next_save_counts_on_from_the_last_version(store: WorkshopStore, filled: str):
    imported = import_workshop(store, parse_export(export_text(store, filled)))
    store.join(imported.code, "A")
    saved = store.save_future(imported.code, "A", "Groen", future_yaml(14))
    assert saved.version == 4


def test_the_command_line_refuses_a_file_too_large_or_not_a_file(tmp_path, monkeypatch):
    import os

    from typer.testing import CliRunner

    from simulator.cli.main import app
    from simulator.workshop import export_file

    def run(path) -> tuple[int, str]:
        result = CliRunner().invoke(
            app, ["workshop", "import", str(path), "--db", str(tmp_path / "w.sqlite"), "--lang", "en"]
        )
        assert "Traceback" not in result.output
        return result.exit_code, result.output

    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    code, out = run(fifo)  # reading it would wait forever
    assert code == 2 and "is not a regular file" in out
    big = tmp_path / "big.json"
    big.write_text('{"format": "bwsim-workshop"}' + " " * 2000)
    monkeypatch.setattr(export_file, "MAX_IMPORT_BYTES", 1000)
    monkeypatch.setattr("simulator.workshop.exchange.MAX_IMPORT_BYTES", 1000)
    code, out = run(big)
    assert code == 2 and "too large for a workshop export" in out
    monkeypatch.undo()
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    code, out = run(deep)
    assert code == 2 and "nests deeper than 32 levels" in out


def test_an_unpaired_surrogate_escape_is_refused_before_it_reaches_the_database(store: WorkshopStore, filled: str):
    data = export_workshop(store, filled)
    _version_of(data)["notes"]["found"] = "\ud800"
    text = json.dumps(data)  # json escapes it as \\ud800
    with pytest.raises(InputError, match="not valid Unicode"):
        parse_export(text, "crafted.json")
