"""The workshop database: tables, and the ordered migrations that build them.

The schema is created and upgraded by the application itself. A one-row table
``schema_version`` holds the version of the schema in the database;
:data:`MIGRATIONS` lists the steps from each version to the next, in order.
Opening a database runs the missing steps, each in one transaction, and
refuses a database made by a newer bwsim (whose schema this code cannot know).

Tables (nothing is ever updated in place; every save is a new row):

- ``workshops``: a name and its join code;
- ``workshop_models``: every model version a workshop has used, YAML and sha256
  (the newest row is the workshop's current model);
- ``start_scenarios``: the scenarios a workshop starts from, as YAML;
- ``groups``: the groups that joined, by name, per workshop;
- ``futures``: a group's named futures;
- ``future_versions``: every save of a future: the scenario YAML, the four
  notes, the model it was made with, a checksum of the content and the
  client's save id (so a repeated save is not stored twice).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from simulator.errors import InputError, Problem
from simulator.messages import msg

metadata = sa.MetaData()

workshops = sa.Table(
    "workshops",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("code", sa.String(16), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)

workshop_models = sa.Table(
    "workshop_models",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workshop_id", sa.Integer, sa.ForeignKey("workshops.id"), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("yaml", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)

start_scenarios = sa.Table(
    "start_scenarios",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workshop_id", sa.Integer, sa.ForeignKey("workshops.id"), nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("yaml", sa.Text, nullable=False),
    sa.UniqueConstraint("workshop_id", "position"),
)

groups = sa.Table(
    "groups",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workshop_id", sa.Integer, sa.ForeignKey("workshops.id"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.UniqueConstraint("workshop_id", "name"),
)

futures = sa.Table(
    "futures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workshop_id", sa.Integer, sa.ForeignKey("workshops.id"), nullable=False, index=True),
    sa.Column("group_id", sa.Integer, sa.ForeignKey("groups.id"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.UniqueConstraint("group_id", "name"),
)

future_versions = sa.Table(
    "future_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("future_id", sa.Integer, sa.ForeignKey("futures.id"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("model_id", sa.Integer, sa.ForeignKey("workshop_models.id"), nullable=False),
    sa.Column("scenario_yaml", sa.Text, nullable=False),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("expectation", sa.Text, nullable=False),
    sa.Column("found", sa.Text, nullable=False),
    sa.Column("decision", sa.Text, nullable=False),
    sa.Column("content_sha256", sa.String(64), nullable=False),
    sa.Column("save_id", sa.String(64), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.UniqueConstraint("future_id", "version"),
    sa.UniqueConstraint("future_id", "save_id"),
)

version_table = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, nullable=False),
)

V1_TABLES = [workshops, workshop_models, start_scenarios, groups, futures, future_versions]


def _v1(conn: Connection) -> None:
    """Version 1: the workshop tables."""
    metadata.create_all(conn, tables=V1_TABLES)


Migration = Callable[[Connection], None]

TABLES_ADDED: dict[int, list[sa.Table]] = {1: V1_TABLES}
"""The tables each schema version adds (append when a migration adds tables): a database
that says it has version ``n`` must hold those of every version up to ``n``."""

MIGRATIONS: list[Migration] = [_v1]
"""``MIGRATIONS[i]`` upgrades a database from version ``i`` to ``i + 1``. Append only:
a released step never changes (later tables or columns get a new step)."""


def current_version(conn: Connection) -> int:
    """The schema version stored in the database (0: empty database)."""
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    value = conn.execute(sa.select(version_table.c.version)).scalar()
    return int(value or 0)


def foreign_database(where: str, names: set[str]) -> InputError:
    """The error for a database that holds tables, but not a bwsim workshop's."""
    shown = sorted(n for n in names if not n.startswith("sqlite_"))
    tables = ", ".join(shown[:5])
    return InputError(
        Problem(
            where,
            "",
            msg(
                "this database holds other tables, not a bwsim workshop database ({tables} and {more} more); "
                "nothing was changed",
                tables=tables,
                more=len(shown) - 5,
            )
            if len(shown) > 5
            else msg(
                "this database holds other tables, not a bwsim workshop database ({tables}); nothing was changed",
                tables=tables,
            ),
            msg("give a workshop database made by bwsim, an empty database, or the name of a new file"),
        )
    )


def check_workshop_tables(conn: Connection, where: str) -> None:
    """Refuse a database that holds tables but is not a bwsim workshop database (before anything is written).

    An empty database passes (the migrations build it). Otherwise it must have
    bwsim's ``schema_version`` table with one whole-number version, and the
    tables of every version up to that one.

    Raises
    ------
    InputError
        Other tables without ``schema_version``, a ``schema_version`` that is not
        bwsim's, or bwsim's tables missing for the version it states.
    """
    inspector = sa.inspect(conn)
    names = {n for n in inspector.get_table_names() if not n.startswith("sqlite_")}
    if not names:
        return
    if "schema_version" not in names:
        raise foreign_database(where, names)
    columns = {c["name"] for c in inspector.get_columns("schema_version")}
    rows = conn.execute(sa.text("SELECT * FROM schema_version")).all() if columns == {"version"} else None
    if rows is None or len(rows) > 1 or not all(isinstance(r[0], int) and r[0] >= 0 for r in rows):
        raise InputError(
            Problem(
                where,
                "schema_version",
                msg("this database has a schema_version table that is not bwsim's; nothing was changed"),
                msg("give a workshop database made by bwsim, or an empty database"),
            )
        )
    version = rows[0][0] if rows else 0
    wanted = {table.name for step, tables in TABLES_ADDED.items() if step <= version for table in tables}
    missing = sorted(wanted - names)
    if missing:
        raise InputError(
            Problem(
                where,
                "schema_version",
                msg(
                    "this database says it has bwsim's schema version {version} but "
                    "lacks its tables ({tables}); nothing was changed",
                    version=version,
                    tables=", ".join(missing),
                ),
                msg("give a whole workshop database made by bwsim, or an empty database"),
            )
        )


def _lock(conn: Connection) -> None:
    """Serialize migrations between processes (SQLite: the write transaction already does)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7317007)"))


def migrate(conn: Connection, where: str, steps: list[Migration] | None = None) -> int:
    """Bring the schema up to date inside the caller's write transaction.

    Parameters
    ----------
    conn : Connection
        In a transaction that can write.
    where : str
        The database, for messages.
    steps : list, optional
        The migrations (default :data:`MIGRATIONS`).

    Returns
    -------
    int
        The schema version afterwards.

    Raises
    ------
    InputError
        The database was made by a newer bwsim, or is not a bwsim workshop
        database (:func:`check_workshop_tables`); nothing is written then.
    """
    steps = MIGRATIONS if steps is None else steps
    _lock(conn)
    check_workshop_tables(conn, where)
    version_table.create(conn, checkfirst=True)
    version = current_version(conn)
    if version > len(steps):
        raise InputError(
            Problem(
                where,
                "schema_version",
                msg(
                    "this workshop database has schema version {version}, newer than this bwsim knows ({known})",
                    version=version,
                    known=len(steps),
                ),
                msg("update bwsim, or use another database"),
            )
        )
    if conn.execute(sa.select(sa.func.count()).select_from(version_table)).scalar() == 0:
        conn.execute(version_table.insert().values(version=0))
    for number in range(version, len(steps)):
        steps[number](conn)
        conn.execute(version_table.update().values(version=number + 1))
    return len(steps)


def new_id(result: sa.CursorResult) -> int:
    """The primary key of the row an ``INSERT`` just added."""
    key = result.inserted_primary_key
    if key is None:  # only for statements that are not single-row inserts: a bug
        raise RuntimeError("the statement inserted no row with a primary key")
    return int(key[0])
