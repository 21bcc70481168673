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
import random
import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from simulator.errors import InputError, Problem
from simulator.io.output_paths import is_sqlite_file
from simulator.messages import msg
from simulator.workshop.schema import foreign_database, migrate

ENV_VAR = "BWSIM_WORKSHOP_DB"
DEFAULT_FILE = "bwsim-workshop.sqlite"
BUSY_TIMEOUT_S = 30.0

TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})
"""PostgreSQL's serialization failure and deadlock: the transaction can simply be tried again."""

_SECRET_KEY = re.compile(r"pass|pwd|secret|token|credential|key", re.IGNORECASE)
_SECRET_PARAM = re.compile(r"([?&;]([^=&;#]*)=)([^&;#]*)")
_USERINFO = re.compile(r"(://[^/?#@:]*:)[^/?#@]*@")
MASK = "***"


def default_location() -> str:
    """The database used when none is given: env ``BWSIM_WORKSHOP_DB`` or the user's data folder."""
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR]
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(data_home) / "bwsim" / DEFAULT_FILE)


def is_url(location: str) -> bool:
    """True for a database URL (``postgresql+psycopg://...``, ``sqlite:///...``)."""
    return "://" in location


def sqlite_file(location: str) -> Path | None:
    """The SQLite file a location names (a path or a ``sqlite:///`` URL), or None for a server URL."""
    if not is_url(location):
        return Path(location).expanduser()
    if location.startswith("sqlite"):
        try:
            database = sa.engine.make_url(location).database
        except (SQLAlchemyError, ValueError):
            return None
        return Path(database).expanduser() if database and database != ":memory:" else None
    return None


def mask_database_url(location: str) -> str:
    """A database location fit to show to anyone: every secret replaced by ``***``.

    Hides the password of ``user:password@`` and the value of every query
    parameter whose name says it is a secret (``password=``, ``sslpassword=``,
    ``token=``, ...). A file path is returned as it is. Use this wherever a
    database URL is printed, logged or put into an error message.
    """
    if not is_url(location):
        return location
    try:
        shown = sa.engine.make_url(location).render_as_string(hide_password=True)
    except (SQLAlchemyError, ValueError, TypeError):
        shown = _USERINFO.sub(rf"\1{MASK}@", location)
        if MASK not in _SECRET_PARAM.sub(_mask_param, shown):
            return "<database URL>"  # unparsed and nothing found to hide: a password may sit anywhere

    return _SECRET_PARAM.sub(_mask_param, shown)


def _mask_param(match: re.Match[str]) -> str:
    """One ``name=value`` query parameter, its value masked when the name says it is a secret."""
    return match.group(1) + MASK if _SECRET_KEY.search(match.group(2)) else match.group(0)


def _secrets(location: str) -> list[str]:
    """The secret values in a database URL (its password and secret query values), longest first."""
    if not is_url(location):
        return []
    found = [m.group(3) for m in _SECRET_PARAM.finditer(location) if _SECRET_KEY.search(m.group(2))]
    try:
        url = sa.engine.make_url(location)
        found.append(url.password or "")
        for key, value in url.query.items():
            if _SECRET_KEY.search(key):
                found.extend([value] if isinstance(value, str) else list(value))
    except (SQLAlchemyError, ValueError, TypeError):
        pass
    return sorted({v for v in found if v and v != MASK}, key=len, reverse=True)


def _scrub(text: str, location: str) -> str:
    """``text`` (e.g. a driver's error) with every secret of ``location`` masked."""
    for secret in _secrets(location):
        text = text.replace(secret, MASK)
    return text


def is_transient(exc: SQLAlchemyError) -> bool:
    """True for a failure that trying the transaction again can cure.

    SQLite: the database is locked or busy. PostgreSQL: a serialization failure
    (SQLSTATE 40001) or a deadlock (40P01).
    """
    if not isinstance(exc, DBAPIError):
        return False
    state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if state in TRANSIENT_SQLSTATES:
        return True
    text = str(exc.orig).lower()
    return isinstance(exc.orig, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def pause_before_retry(attempt: int) -> None:
    """Wait a little before trying a transaction again (random, growing with ``attempt``; at most 0.5 s)."""
    time.sleep(random.uniform(0, min(0.5, 0.005 * 2 ** min(attempt, 7))))


def _bad_location(location: str, message: str, hint: str) -> InputError:
    return InputError(Problem(location, "", message, hint))


def check_sqlite_file(path: Path, where: str) -> None:
    """Refuse, without writing to it, an existing file that is not a bwsim workshop database.

    A file that does not start with SQLite's header, or a SQLite database
    holding other tables but not bwsim's, is refused before the database is
    opened for writing (opening would switch it to WAL mode and add tables).
    """
    if not path.is_file() or path.stat().st_size == 0:
        return
    if not is_sqlite_file(path):
        raise _bad_location(
            where,
            msg("cannot open the workshop database: the file is not a SQLite database"),
            msg("give a workshop database made by bwsim, or the name of a new file"),
        )
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.Error:
        return  # the normal opening reports it (e.g. a WAL database in a read-only folder)
    if names - {"sqlite_sequence"} and "schema_version" not in names:
        raise foreign_database(where, names)


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
                mask_database_url(location),
                msg("the database driver is not installed ({reason})", reason=_scrub(str(exc), location)),
                msg("for PostgreSQL install the extra: pip install -e '.[postgres]' (psycopg)"),
            ) from None
        except (SQLAlchemyError, ValueError) as exc:
            raise _bad_location(
                mask_database_url(location),
                msg("cannot use this database URL: {reason}", reason=_scrub(str(exc), location)),
                msg("e.g. postgresql+psycopg://user:password@host:5432/dbname"),
            ) from None
    return _sqlite_engine(_sqlite_path(location))


class Database:
    """An open, migrated workshop database.

    Use :meth:`reading` and :meth:`writing` for transactions; each commits
    whole or not at all.
    """

    def __init__(self, location: str | Path | None = None):
        raw = str(location) if location is not None else default_location()
        self.where = mask_database_url(raw)
        self._raw = raw
        path = sqlite_file(raw)
        if path is not None:
            check_sqlite_file(path, self.where)
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
        detail = _scrub(str(getattr(exc, "orig", None) or exc).splitlines()[0], getattr(self, "_raw", ""))
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
