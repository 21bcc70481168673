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
        (
            "postgresql+psycopg://bwsim@db/ws?password=geheim&sslmode=require",
            "postgresql+psycopg://bwsim@db/ws?password=***&sslmode=require",
        ),
        (
            "postgresql://db/ws?sslpassword=geheim&sslpassword=geheim2&PWD=geheim3&application_name=bw",
            "postgresql://db/ws?PWD=***&application_name=bw&sslpassword=***&sslpassword=***",
        ),
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


def test_the_default_location_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
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


# --- a database that is not bwsim's is refused, and nothing is written to it ---------------------


def _engine_for(db_url: str) -> sa.Engine:
    return sa.create_engine(db_url if "://" in db_url else f"sqlite:///{db_url}")


def _tables(db_url: str) -> set[str]:
    engine = _engine_for(db_url)
    with engine.connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
    engine.dispose()
    return names


def _fill(db_url: str, *statements: str) -> None:
    engine = _engine_for(db_url)
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    engine.dispose()


def test_a_foreign_sqlite_file_is_refused_without_a_byte_changed(tmp_path: Path):
    path = tmp_path / "klanten.db"
    _fill(
        str(path),
        "CREATE TABLE klanten (id INTEGER PRIMARY KEY, naam TEXT)",
        "INSERT INTO klanten (naam) VALUES ('Jansen')",
    )
    before = path.read_bytes()
    with pytest.raises(InputError, match=r"holds other tables, not a bwsim workshop database \(klanten\)"):
        WorkshopStore(path)
    assert path.read_bytes() == before  # not even switched to WAL mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["klanten.db"]


@pytest.mark.parametrize(
    "statements, message",
    [
        (["CREATE TABLE klanten (id INTEGER)"], "holds other tables"),
        (["CREATE TABLE schema_version (id TEXT, applied_on TEXT)"], "schema_version table that is not bwsim's"),
        (
            ["CREATE TABLE schema_version (version INTEGER NOT NULL)", "INSERT INTO schema_version VALUES (1)"],
            "says it has bwsim's schema version 1 but lacks its tables",
        ),
    ],
)
def test_a_database_that_is_not_bwsims_is_refused_and_left_alone(db_url: str, statements: list[str], message: str):
    _fill(db_url, *statements)
    before = _tables(db_url)
    with pytest.raises(InputError, match=message):
        WorkshopStore(db_url)
    assert _tables(db_url) == before


def test_a_foreign_database_is_a_clear_error_on_the_command_line(tmp_path: Path):
    from typer.testing import CliRunner

    from simulator.cli.main import app

    path = tmp_path / "other.db"
    _fill(str(path), "CREATE TABLE orders (id INTEGER)")
    result = CliRunner().invoke(app, ["workshop", "list", "--db", str(path), "--lang", "en"])
    assert result.exit_code == 2 and "holds other tables" in result.output
    assert "Traceback" not in result.output and "CREATE" not in result.output and "SELECT" not in result.output
    assert _tables(str(path)) == {"orders"}


# --- secrets in database URLs --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, secret",
    [
        ("postgresql+psycopg://bwsim:geheim@db.example.org:5432/bwsim", "geheim"),
        ("postgresql+psycopg://bwsim@db.example.org/bwsim?password=geheim&sslmode=require", "geheim"),
        ("postgresql+psycopg://bwsim@db/bwsim?sslmode=require&sslpassword=geheim", "geheim"),
        ("postgresql+psycopg://bwsim:a%40b@db/bwsim?PASSWORD=geheim", "geheim"),
        ("postgresql+psycopg://bwsim:open:zes@db/bwsim", "open:zes"),
        ("not a valid url://bwsim:geheim@db/?password=geheim", "geheim"),
    ],
)
def test_mask_database_url_hides_every_secret(url: str, secret: str):
    from simulator.workshop.database import mask_database_url

    shown = mask_database_url(url)
    assert secret not in shown and "***" in shown
    assert "bwsim" in shown  # the rest stays readable


def test_mask_database_url_keeps_paths_and_harmless_parameters():
    from simulator.workshop.database import mask_database_url

    assert mask_database_url("out/workshop.sqlite") == "out/workshop.sqlite"
    assert mask_database_url("postgresql+psycopg://db/bwsim?sslmode=require") == (
        "postgresql+psycopg://db/bwsim?sslmode=require"
    )


def test_a_password_in_the_query_is_never_shown_by_the_command_line():
    from typer.testing import CliRunner

    from simulator.cli.main import app

    url = "postgresql+psycopg://bwsim@127.0.0.1:1/bwsim?password=geheim&connect_timeout=2"
    result = CliRunner().invoke(app, ["workshop", "list", "--db", url, "--lang", "en"])
    assert result.exit_code == 2 and "cannot open the workshop database" in result.output
    assert "geheim" not in result.output and "password=***" in result.output


# --- PostgreSQL: concurrent saves of one future queue instead of failing -----------------------


def test_two_hundred_saves_of_one_future_at_once_are_all_stored(store: WorkshopStore):
    import threading

    code = store.create_workshop("Druk", MODEL_YAML).code
    store.join(code, "samen")
    n = 200
    barrier, errors = threading.Barrier(n), []

    def save(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            store.save_future(code, "samen", "gedeeld", future_yaml(float(i + 1)))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert [str(e) for e in errors] == []
    assert sorted(v.version for v in store.versions(code)) == list(range(1, n + 1))


@pytest.mark.postgres
def test_a_postgresql_deadlock_counts_as_worth_another_try(pg_url: str):
    """A real deadlock (two transactions locking two rows in opposite order) is a transient failure."""
    import threading

    from simulator.workshop.database import is_transient

    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE pair (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql("INSERT INTO pair VALUES (1), (2)")
    barrier, failures = threading.Barrier(2), []

    def lock(first: int, second: int) -> None:
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(f"SELECT * FROM pair WHERE id = {first} FOR UPDATE")
                barrier.wait(timeout=30)
                conn.exec_driver_sql(f"SELECT * FROM pair WHERE id = {second} FOR UPDATE")
        except sa.exc.SQLAlchemyError as exc:
            failures.append(exc)

    threads = [threading.Thread(target=lock, args=pair) for pair in ((1, 2), (2, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    engine.dispose()
    assert len(failures) == 1 and is_transient(failures[0])
    assert not is_transient(sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused")))
