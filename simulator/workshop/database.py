"""Opening the workshop database: SQLite by default, PostgreSQL given a URL.

Where: ``--db`` (a path or a database URL), else the environment variable
``BWSIM_WORKSHOP_DB``, else ``bwsim-workshop.sqlite`` in the user's data folder
(``$XDG_DATA_HOME/bwsim``, default ``~/.local/share/bwsim``).

SQLite runs in WAL mode (readers never wait for the writer) with full
synchronous commits, foreign keys on, and a 30 s busy timeout; every write
transaction starts with ``BEGIN IMMEDIATE`` so that concurrent writers queue
instead of failing half-way. PostgreSQL uses the same tables and statements.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from simulator.errors import InputError, Problem
from simulator.messages import msg
from simulator.workshop.schema import migrate

ENV_VAR = "BWSIM_WORKSHOP_DB"
DEFAULT_FILE = "bwsim-workshop.sqlite"
BUSY_TIMEOUT_S = 30.0


def default_location() -> str:
    """The database used when none is given: env ``BWSIM_WORKSHOP_DB`` or the user's data folder."""
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR]
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(data_home) / "bwsim" / DEFAULT_FILE)


def is_url(location: str) -> bool:
    """True for a database URL (``postgresql+psycopg://...``, ``sqlite:///...``)."""
    return "://" in location


def _bad_location(location: str, message: str, hint: str) -> InputError:
    return InputError(Problem(location, "", message, hint))


def _sqlite_path(location: str) -> Path:
    """Check that a SQLite file can be created or opened here; return its path."""
    path = Path(location).expanduser()
    if path.is_dir():
        raise _bad_location(
            location,
            msg("is a folder, not a database file"),
            msg("give a file name, e.g. {path}", path=str(path / DEFAULT_FILE)),
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _bad_location(
            location,
            msg("cannot create the folder for the database: {reason}", reason=exc.strerror or str(exc)),
            msg("choose a folder you can write to (--db or {variable})", variable=ENV_VAR),
        ) from None
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise _bad_location(
            location,
            msg("the database is not writable here"),
            msg("choose a folder you can write to (--db or {variable})", variable=ENV_VAR),
        )
    return path


def _sqlite_engine(path: Path) -> Engine:
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("bwsim_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def create_engine(location: str) -> Engine:
    """An engine for a SQLite path or a database URL (nothing is connected yet)."""
    if is_url(location):
        if location.startswith("sqlite"):
            return _sqlite_engine(_sqlite_path(sa.engine.make_url(location).database or ""))
        try:
            return sa.create_engine(location, pool_pre_ping=True)
        except ImportError as exc:
            raise _bad_location(
                _redact(location),
                msg("the database driver is not installed ({reason})", reason=str(exc)),
                msg("for PostgreSQL install the extra: pip install -e '.[postgres]' (psycopg)"),
            ) from None
        except (SQLAlchemyError, ValueError) as exc:
            raise _bad_location(
                _redact(location),
                msg("cannot use this database URL: {reason}", reason=str(exc)),
                msg("e.g. postgresql+psycopg://user:password@host:5432/dbname"),
            ) from None
    return _sqlite_engine(_sqlite_path(location))


def _redact(location: str) -> str:
    """The location without a password, for messages."""
    if not is_url(location):
        return location
    try:
        return sa.engine.make_url(location).render_as_string(hide_password=True)
    except (SQLAlchemyError, ValueError):
        return "<database URL>"


class Database:
    """An open, migrated workshop database.

    Use :meth:`reading` and :meth:`writing` for transactions; each commits
    whole or not at all.
    """

    def __init__(self, location: str | Path | None = None):
        raw = str(location) if location is not None else default_location()
        self.where = _redact(raw)
        self.engine = create_engine(raw)
        try:
            with self.writing() as conn:
                self.schema_version = migrate(conn, self.where)
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise self.error(exc, msg("cannot open the workshop database")) from None
        except InputError:
            self.engine.dispose()
            raise

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def error(self, exc: SQLAlchemyError, what: str) -> InputError:
        """An :class:`InputError` for a database failure, without the SQL."""
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return InputError(
            Problem(
                self.where,
                "",
                msg("{what}: {detail}", what=what, detail=detail),
                msg("check the path or URL, that it is writable and the server is running"),
            )
        )

    @contextlib.contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction (SQLite: ``BEGIN IMMEDIATE``)."""
        with self.engine.connect() as conn:
            conn.execution_options(bwsim_write=True)
            with conn.begin():
                yield conn

    @contextlib.contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read transaction: one consistent snapshot."""
        with self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()
