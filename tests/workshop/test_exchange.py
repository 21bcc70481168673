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
    store.save_future(
        workshop_code, "A", "Groen", future_yaml(10), Notes("v?", "meer", "minder", "stop")
    )
    store.save_future(
        workshop_code, "A", "Groen", future_yaml(12, weight=1.5), Notes("v2", "", "", "")
    )
    store.add_model(workshop_code, MODEL_V2_YAML)
    store.save_future(
        workshop_code, "B", "<b>Grijs</b>", future_yaml(7, weight=0.7), Notes("'; --", "", "", "")
    )
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
def test_export_then_import_reproduces_every_future_exactly(
    store: WorkshopStore, filled: str, tmp_path, into: str
):
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
        (g["name"], f["name"]): [v["version"] for v in f["versions"]]
        for g in data["groups"]
        for f in g["futures"]
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
def test_a_bad_import_is_refused_and_changes_nothing(
    store: WorkshopStore, filled: str, how: str, message: str
):
    before = export_workshop(store, filled)
    text = _damage(export_workshop(store, filled), how)
    with pytest.raises(InputError, match=message):
        import_workshop(store, parse_export(text, "bad.json"))
    assert [s.code for s in store.list_workshops()] == [filled[:4] + "-" + filled[4:]]
    assert _strip_ids(export_workshop(store, filled)) == _strip_ids(before)


def test_an_imported_model_that_no_longer_validates_is_kept_and_named(
    store: WorkshopStore, filled: str
):
    """A model from another bwsim (here: an unknown key) imports as history; runs say why not."""
    from hashlib import sha256

    from simulator.workshop.compare import compare_workshop

    data = export_workshop(store, filled)
    for model in data["models"]:
        model["yaml"] = model["yaml"].replace(
            "name: tiny", "name: tiny\nnew_key_of_a_newer_bwsim: 1"
        )
        model["sha256"] = sha256(model["yaml"].encode("utf-8")).hexdigest()
    imported = import_workshop(store, parse_export(json.dumps(data)))
    versions = store.versions(imported.code)
    assert len(versions) == 4
    with pytest.raises(
        InputError,
        match="(?s)unknown key 'new_key_of_a_newer_bwsim'.*current model does not validate",
    ):
        compare_workshop(store, imported.code)
    run = run_future(
        versions[0],
        store.model_version(imported.code, versions[0].model_id),
        store.current_model(imported.code),
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
