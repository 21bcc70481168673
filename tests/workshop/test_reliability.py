"""Nothing is lost: twenty groups saving at once, and a process killed inside a save."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from simulator.workshop import schema as t
from simulator.workshop.records import Notes
from simulator.workshop.store import TEST_HOOK_ENV, WorkshopStore

from .helpers import future_yaml

N_GROUPS = 20


def _content(i: int) -> tuple[str, Notes]:
    """What group ``i`` saves: a distinct height and a long note, so a torn write would show."""
    return future_yaml(float(i + 1)), Notes(f"vraag {i} " + "x" * 5000, f"verwachting {i}", "", str(i))


def _check_all_saves(store: WorkshopStore, code: str) -> None:
    """Each group's own future once, and twenty versions of the shared one, all whole."""
    versions = store.versions(code)
    assert len(versions) == 2 * N_GROUPS, "every save is there"
    assert len({(v.group, v.future, v.version) for v in versions}) == 2 * N_GROUPS, "none duplicated"
    assert all(v.intact for v in versions), "none torn"
    shared = [v for v in versions if v.group == "samen"]
    own = [v for v in versions if v.group != "samen"]
    assert sorted(v.version for v in shared) == list(range(1, N_GROUPS + 1))
    assert [v.version for v in own] == [1] * N_GROUPS
    for part in (own, shared):
        by_decision = {int(v.notes.decision): v for v in part}
        assert sorted(by_decision) == list(range(N_GROUPS))
        for i, version in by_decision.items():
            assert (version.scenario_yaml, version.notes) == _content(i)
    assert {v.group for v in own} == {f"groep {i}" for i in range(N_GROUPS)}


def _prepare(store: WorkshopStore, code: str) -> None:
    for i in range(N_GROUPS):
        store.join(code, f"groep {i}")
    store.join(code, "samen")


def _work(store: WorkshopStore, code: str, i: int) -> None:
    """Group ``i`` saves its own future, then a version of the future all groups share."""
    text, notes = _content(i)
    store.save_future(code, f"groep {i}", f"toekomst {i}", text, notes)
    store.save_future(code, "samen", "gedeeld", text, notes)


def _save_in_process(location: str, code: str, i: int, barrier: object) -> None:
    with WorkshopStore(location) as own:
        barrier.wait(timeout=60)  # type: ignore[attr-defined]
        _work(own, code, i)


def test_twenty_threads_saving_at_once(store: WorkshopStore, workshop_code: str):
    _prepare(store, workshop_code)
    barrier = threading.Barrier(N_GROUPS)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            _work(store, workshop_code, i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(N_GROUPS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    _check_all_saves(store, workshop_code)


def test_twenty_processes_saving_at_once(store: WorkshopStore, db_url: str, workshop_code: str):
    _prepare(store, workshop_code)
    store.close()  # no connection is inherited by the children
    # forkserver: children start from a clean, single-threaded server process (a plain fork of
    # the test process would copy whatever threads Streamlit or Dask tests left running)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["simulator.workshop.store"])
    barrier = context.Barrier(N_GROUPS)
    processes = [
        context.Process(target=_save_in_process, args=(db_url, workshop_code, i, barrier)) for i in range(N_GROUPS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [p.exitcode for p in processes] == [0] * N_GROUPS
    _check_all_saves(store, workshop_code)


KILLER = textwrap.dedent("""\
    import sys
    from simulator.workshop.store import WorkshopStore
    store = WorkshopStore(sys.argv[1])
    store.save_future(sys.argv[2], "A", sys.argv[3], sys.stdin.read())
    print("survived")
    """)


def _save_and_die(db_url: str, code: str, future: str, text: str, hook: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, **{TEST_HOOK_ENV: hook})
    return subprocess.run(
        [sys.executable, "-c", KILLER, db_url, code, future],
        input=text,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[2],
    )


def _row_counts(store: WorkshopStore) -> dict[str, int]:
    with store.db.reading() as conn:
        return {
            table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() for table in t.V1_TABLES
        }


@pytest.mark.parametrize("hook", ["kill-in-save", "kill-after-insert"])
def test_a_process_killed_inside_a_save_leaves_the_database_consistent(
    store: WorkshopStore, db_url: str, workshop_code: str, hook: str
):
    kept = store.save_future(workshop_code, "A", "bestaand", future_yaml(1))
    before = _row_counts(store)
    for future in ("bestaand", "nieuw"):  # a new version of a future, and a new future
        done = _save_and_die(db_url, workshop_code, future, future_yaml(2), hook)
        assert done.returncode == -signal.SIGKILL, done.stderr
        assert "survived" not in done.stdout
    assert _row_counts(store) == before, "the killed saves are not there, not even in part"
    assert store.history(workshop_code, "A", "bestaand") == [kept]
    if store.db.dialect == "sqlite":
        with store.db.reading() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    again = store.save_future(workshop_code, "A", "bestaand", future_yaml(3))
    assert again.version == 2 and again.intact
    assert store.save_future(workshop_code, "A", "nieuw", future_yaml(3)).version == 1


def test_without_the_hook_the_same_save_goes_through(store: WorkshopStore, db_url: str, workshop_code: str):
    done = _save_and_die(db_url, workshop_code, "nieuw", future_yaml(2), "")
    assert done.returncode == 0 and "survived" in done.stdout, done.stderr
    assert [v.version for v in store.history(workshop_code, "A", "nieuw")] == [1]
