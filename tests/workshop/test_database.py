"""Opening the database: WAL mode, schema versions and migrations, bad locations."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from simulator.errors import InputError
from simulator.workshop import schema
from simulator.workshop.database import ENV_VAR, Database, default_location, mask_database_url
from simulator.workshop.store import WorkshopStore

from .helpers import MODEL_YAML, future_yaml


def test_sqlite_runs_in_wal_mode_with_the_schema_version(tmp_path: Path):
    with WorkshopStore(tmp_path / "w.sqlite") as store, store.db.reading() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert schema.current_version(conn) == len(schema.MIGRATIONS)


def test_schema_version_is_stored(store: WorkshopStore):
    with store.db.reading() as conn:
        rows = conn.execute(sa.select(schema.version_table.c.version)).scalars().all()
    assert rows == [len(schema.MIGRATIONS)]


def test_reopening_keeps_everything(db_url: str):
    with WorkshopStore(db_url) as store:
        code = store.create_workshop("Blijft", MODEL_YAML).code
        store.join(code, "A")
        store.save_future(code, "A", "f", future_yaml(1))
    with WorkshopStore(db_url) as store:
        assert [v.version for v in store.versions(code)] == [1]


def test_migrations_run_in_order_once(tmp_path: Path):
    calls = []
    steps = [lambda conn: calls.append(1), lambda conn: calls.append(2)]
    engine = Database(tmp_path / "m.sqlite")
    with engine.writing() as conn:
        conn.execute(schema.version_table.update().values(version=0))
    for _ in range(2):
        with engine.writing() as conn:
            assert schema.migrate(conn, "test", steps) == 2
    assert calls == [1, 2]
    steps.append(lambda conn: conn.exec_driver_sql("CREATE TABLE extra (x INTEGER)"))
    with engine.writing() as conn:
        assert schema.migrate(conn, "test", steps) == 3
        assert sa.inspect(conn).has_table("extra")
    engine.close()


def test_a_failed_migration_changes_nothing(tmp_path: Path):
    database = Database(tmp_path / "f.sqlite")

    def broken(conn: sa.Connection) -> None:
        conn.exec_driver_sql("CREATE TABLE half (x INTEGER)")
        raise RuntimeError("step fails half-way")

    with pytest.raises(RuntimeError), database.writing() as conn:
        schema.migrate(conn, "test", [*schema.MIGRATIONS, broken])
    with database.reading() as conn:
        assert not sa.inspect(conn).has_table("half")
        assert schema.current_version(conn) == len(schema.MIGRATIONS)
    database.close()


def test_a_database_from_a_newer_bwsim_is_refused_and_left_alone(db_url: str):
    with WorkshopStore(db_url) as store:
        code = store.create_workshop("Nieuw", MODEL_YAML).code
        with store.db.writing() as conn:
            conn.execute(schema.version_table.update().values(version=99))
    with pytest.raises(InputError, match="schema version 99, newer than this bwsim knows"):
        WorkshopStore(db_url)
    database = Database.__new__(Database)  # read it without migrating: nothing was touched
    database.engine = sa.create_engine(db_url if "://" in db_url else f"sqlite:///{db_url}")
    with database.engine.connect() as conn:
        assert conn.execute(sa.select(schema.version_table.c.version)).scalar() == 99
        assert conn.execute(sa.select(schema.workshops.c.code)).scalars().all() == [code]
    database.engine.dispose()


def test_an_unwritable_location_is_a_clear_error(tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(InputError, match="cannot create the folder for the database"):
        WorkshopStore(blocker / "sub" / "w.sqlite")
    with pytest.raises(InputError, match="is a folder, not a database file"):
        WorkshopStore(tmp_path)


def test_a_file_that_is_not_a_database_is_a_clear_error_and_is_not_changed(tmp_path: Path):
    path = tmp_path / "notes.txt"
    path.write_text("dit is geen database\n" * 100)
    with pytest.raises(InputError, match="cannot open the workshop database"):
        WorkshopStore(path)
    assert path.read_text() == "dit is geen database\n" * 100


def test_an_unreachable_server_is_a_clear_error_without_the_password():
    with pytest.raises(InputError) as info:
        WorkshopStore("postgresql+psycopg://bwsim:geheim@127.0.0.1:1/bwsim?connect_timeout=2")
    assert "cannot open the workshop database" in str(info.value)
    assert "geheim" not in str(info.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://bwsim:geheim@db:5432/ws", "postgresql+psycopg://bwsim:***@db:5432/ws"),
        ("postgresql+psycopg://bwsim@db/ws?password=geheim&sslmode=require",
         "postgresql+psycopg://bwsim@db/ws?password=***&sslmode=require"),
        ("postgresql://db/ws?sslpassword=geheim&sslpassword=geheim2&PWD=geheim3&application_name=bw",
         "postgresql://db/ws?PWD=***&application_name=bw&sslpassword=***&sslpassword=***"),
        ("/tmp/workshop.sqlite", "/tmp/workshop.sqlite"),
        ("sqlite:////tmp/workshop.sqlite", "sqlite:////tmp/workshop.sqlite"),
        ("post gres://geheim", "<database URL>"),
    ],
)
def test_a_database_url_is_shown_without_any_password(url: str, shown: str):
    assert mask_database_url(url) == shown


def test_a_password_in_the_query_is_hidden_from_the_store_and_its_errors(tmp_path: Path):
    with pytest.raises(InputError) as info:
        WorkshopStore("postgresql+psycopg://bwsim@127.0.0.1:1/bwsim?password=geheim&connect_timeout=2")
    assert "cannot open the workshop database" in str(info.value)
    assert "geheim" not in str(info.value) and "password=***" in str(info.value)


def test_the_default_location_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env.sqlite"))
    assert default_location() == str(tmp_path / "env.sqlite")
    monkeypatch.delenv(ENV_VAR)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_location() == str(tmp_path / "data" / "bwsim" / "bwsim-workshop.sqlite")


def test_a_missing_database_driver_names_the_extra_to_install():
    from simulator.workshop.database import create_engine

    # a dialect whose driver module is not installed here
    with pytest.raises(InputError) as caught:
        create_engine("postgresql+pg8000://user:secret@127.0.0.1/db")
    text = caught.value.describe()
    assert "driver is not installed" in text and "[postgres]" in text and "secret" not in text
