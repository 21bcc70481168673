"""The workshop store: workshops, groups and their futures, saved version by version.

Every public method takes the workshop's join code and sees only that
workshop's rows; an unknown or malformed code raises the same
:class:`InputError` whatever the reason, so a guess learns nothing. Every
write is one transaction: it is stored whole or not at all. Nothing is ever
updated or deleted: a save adds a version, a new model adds a model version.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import signal
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from simulator.errors import InputError, Problem
from simulator.io.spec_files import load_model_text, load_scenario_text
from simulator.messages import msg
from simulator.workshop import schema as t
from simulator.workshop.codes import format_code, new_code, normalize_code
from simulator.workshop.database import Database, is_transient, pause_before_retry
from simulator.workshop.futures import check_future_yaml, model_file
from simulator.workshop.records import (
    MAX_SCENARIO,
    FutureVersion,
    ModelVersion,
    Notes,
    StartScenario,
    Workshop,
    WorkshopSummary,
    clean_name,
    content_checksum,
)

TEST_HOOK_ENV = "BWSIM_WORKSHOP_TEST_HOOK"
"""Tests set this to ``kill-in-save`` to SIGKILL the process inside a save's transaction."""

RETRIES = 20


def now() -> str:
    """The current time, ISO 8601 in UTC with microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def unknown_code() -> InputError:
    """The one error for every code that opens nothing (it says nothing about why)."""
    return InputError(
        Problem(msg("join code"), "", msg("no workshop has this join code"), msg("check the code with the facilitator"))
    )


def group_key(name: str) -> str:
    """How group names are matched: spaces collapsed, case folded.

    "groep noord", "Groep  Noord" and " GROEP NOORD " are one group; the store keeps
    the name as first typed for display.
    """
    return " ".join(name.split()).casefold()


def _lock_groups(conn: Connection, wid: int) -> None:
    """Serialize joins of one workshop (SQLite: the write transaction already does), so two
    laptops typing "Noord" and "noord" at the same moment make one group, not two."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7317008, :wid)"), {"wid": wid})


def _test_hook(stage: str) -> None:
    if os.environ.get(TEST_HOOK_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)


class WorkshopStore:
    """Workshops in one database (SQLite file or PostgreSQL URL).

    Parameters
    ----------
    location : str or Path, optional
        A SQLite file path or a database URL; default
        :func:`simulator.workshop.database.default_location`.
    """

    def __init__(self, location: str | Path | None = None):
        self.db = Database(location)
        self._snapshot: contextvars.ContextVar[Connection | None] = contextvars.ContextVar(
            f"bwsim_workshop_snapshot_{id(self)}", default=None
        )

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Make every read inside the block see one consistent state (one read transaction).

        Used by export, so that a group saving at the same moment cannot leave it
        with a version of a group it has not listed. Per thread.
        """
        with self.db.reading() as conn:
            token = self._snapshot.set(conn)
            try:
                yield
            finally:
                self._snapshot.reset(token)

    @contextlib.contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read connection: the snapshot's inside :meth:`snapshot`, else a new transaction."""
        conn = self._snapshot.get()
        if conn is not None:
            yield conn
            return
        with self.db.reading() as conn:
            yield conn

    @property
    def where(self) -> str:
        """The database, password hidden."""
        return self.db.where

    def close(self) -> None:
        """Release the database connections."""
        self.db.close()

    def __enter__(self) -> WorkshopStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- workshops -------------------------------------------------------

    def create_workshop(
        self,
        name: str,
        model_yaml: str,
        scenarios: Sequence[str] = (),
        *,
        model_source: str = "model",
        scenario_sources: Sequence[str] | None = None,
        code: str | None = None,
    ) -> Workshop:
        """Create a workshop on a model with the scenarios it starts from; returns it with its code.

        Parameters
        ----------
        name : str
            The workshop's name.
        model_yaml : str
            The model file's text (stored exactly, with its sha256).
        scenarios : sequence of str
            Texts of the scenario files groups may start from.
        model_source, scenario_sources : str
            Where the texts came from, for messages.
        code : str, optional
            Keep this join code (e.g. on import) when it is free; otherwise a new one is drawn.

        Raises
        ------
        InputError
            The model or a scenario does not validate, or a bad name.
        """
        name = clean_name(name, msg("workshop name"))
        model = load_model_text(model_yaml, model_source)
        sources = list(scenario_sources or [f"scenario {i + 1}" for i in range(len(scenarios))])
        texts = [
            (load_scenario_text(text, source, model).spec.name, text)
            for text, source in zip(scenarios, sources, strict=True)
        ]
        wanted = normalize_code(code) if code else None
        for _attempt in range(RETRIES):
            candidate = wanted or new_code()
            wanted = None
            try:
                with self.db.writing() as conn:
                    taken = conn.execute(sa.select(t.workshops.c.id).where(t.workshops.c.code == candidate))
                    if taken.first() is not None:
                        continue
                    stamp = now()
                    wid = t.new_id(
                        conn.execute(t.workshops.insert().values(code=candidate, name=name, created_at=stamp))
                    )
                    self._insert_model(conn, wid, model.spec.name, model.sha256, model_yaml)
                    for position, (scenario_name, text) in enumerate(texts):
                        conn.execute(
                            t.start_scenarios.insert().values(
                                workshop_id=wid, position=position, name=scenario_name, yaml=text
                            )
                        )
                    return Workshop(wid, candidate, name, stamp)
            except IntegrityError:
                continue  # the code was taken at the same moment: draw again
            except SQLAlchemyError as exc:
                raise self.db.error(exc, msg("cannot create the workshop")) from None
        raise InputError(Problem(self.where, "", msg("could not find a free join code"), msg("try again")))

    def workshop(self, code: str) -> Workshop:
        """The workshop with this join code (forgiving case and dashes).

        Raises
        ------
        InputError
            No workshop has this code (the same message for every wrong code).
        """
        with self.reading() as conn:
            return self._workshop(conn, code)

    def _workshop(self, conn: Connection, code: str) -> Workshop:
        canonical = normalize_code(code)
        if canonical is None:
            raise unknown_code()
        row = conn.execute(sa.select(t.workshops).where(t.workshops.c.code == canonical)).first()
        if row is None:
            raise unknown_code()
        return Workshop(row.id, row.code, row.name, row.created_at)

    def list_workshops(self) -> list[WorkshopSummary]:
        """Every workshop in this database with its counts, oldest first (for the facilitator)."""
        with self.reading() as conn:
            rows = conn.execute(sa.select(t.workshops).order_by(t.workshops.c.id)).all()
            return [self._summary(conn, row) for row in rows]

    def _summary(self, conn: Connection, row: sa.Row) -> WorkshopSummary:
        def count(query: sa.Select) -> int:
            return int(conn.execute(query).scalar() or 0)

        fut = sa.select(t.futures.c.id).where(t.futures.c.workshop_id == row.id)
        return WorkshopSummary(
            format_code(row.code),
            row.name,
            row.created_at,
            self._current_model(conn, row.id).name,
            count(sa.select(sa.func.count()).select_from(t.groups).where(t.groups.c.workshop_id == row.id)),
            count(sa.select(sa.func.count()).select_from(fut.subquery())),
            count(
                sa.select(sa.func.count()).select_from(t.future_versions).where(t.future_versions.c.future_id.in_(fut))
            ),
        )

    # -- models and start scenarios -----------------------------------------

    @staticmethod
    def _insert_model(conn: Connection, wid: int, name: str, sha256: str, text: str) -> int:
        return t.new_id(
            conn.execute(
                t.workshop_models.insert().values(
                    workshop_id=wid, name=name, sha256=sha256, yaml=text, created_at=now()
                )
            )
        )

    def add_model(self, code: str, model_yaml: str, source: str = "model") -> ModelVersion:
        """Make a new model version the workshop's current model (earlier versions stay, and
        every future keeps the version it was made with).

        Raises
        ------
        InputError
            Unknown code, or the model does not validate.
        """
        self.workshop(code)
        model = load_model_text(model_yaml, source)
        text = model_yaml
        with self.db.writing() as conn:
            wid = self._workshop(conn, code).id
            current = self._current_model(conn, wid)
            if current.sha256 == model.sha256:
                return current
            self._insert_model(conn, wid, model.spec.name, model.sha256, text)
            return self._current_model(conn, wid)

    def current_model(self, code: str) -> ModelVersion:
        """The model groups build on now (the newest model version)."""
        with self.reading() as conn:
            return self._current_model(conn, self._workshop(conn, code).id)

    @staticmethod
    def _current_model(conn: Connection, wid: int) -> ModelVersion:
        row = conn.execute(
            sa.select(t.workshop_models)
            .where(t.workshop_models.c.workshop_id == wid)
            .order_by(t.workshop_models.c.id.desc())
            .limit(1)
        ).one()
        return ModelVersion(row.id, row.name, row.sha256, row.yaml, row.created_at)

    def models(self, code: str) -> list[ModelVersion]:
        """Every model version of the workshop, oldest first."""
        with self.reading() as conn:
            wid = self._workshop(conn, code).id
            rows = conn.execute(
                sa.select(t.workshop_models)
                .where(t.workshop_models.c.workshop_id == wid)
                .order_by(t.workshop_models.c.id)
            ).all()
        return [ModelVersion(r.id, r.name, r.sha256, r.yaml, r.created_at) for r in rows]

    def start_scenarios(self, code: str) -> list[StartScenario]:
        """The scenarios the workshop starts from, in the facilitator's order."""
        with self.reading() as conn:
            wid = self._workshop(conn, code).id
            rows = conn.execute(
                sa.select(t.start_scenarios)
                .where(t.start_scenarios.c.workshop_id == wid)
                .order_by(t.start_scenarios.c.position)
            ).all()
        return [StartScenario(r.position, r.name, r.yaml) for r in rows]

    # -- groups ------------------------------------------------------------

    def join(self, code: str, group: str) -> str:
        """Join the workshop as ``group``; returns the group's name as first typed.

        The same name again rejoins, whatever its case and spacing (see
        :func:`group_key`): "groep noord" rejoins "Groep  Noord" and gets "Groep Noord" back.
        """
        name = clean_name(group, msg("group name"))
        for _attempt in range(RETRIES):
            try:
                with self.db.writing() as conn:
                    wid = self._workshop(conn, code).id
                    _lock_groups(conn, wid)
                    found = self._group(conn, wid, name)
                    if found is not None:
                        return found[1]
                    conn.execute(t.groups.insert().values(workshop_id=wid, name=name, created_at=now()))
                    return name
            except IntegrityError:
                continue  # the same group joined at the same moment from another laptop
        raise InputError(Problem(self.where, "", msg("could not join the workshop"), msg("try again")))

    @staticmethod
    def _group(conn: Connection, wid: int, name: str) -> tuple[int, str] | None:
        """(id, stored name) of the workshop's group called ``name`` by :func:`group_key`, or None.

        When an older database holds two groups with the same key, the first to join is found.
        """
        key = group_key(name)
        rows = conn.execute(
            sa.select(t.groups.c.id, t.groups.c.name).where(t.groups.c.workshop_id == wid).order_by(t.groups.c.id)
        ).all()
        return next(((row.id, row.name) for row in rows if group_key(row.name) == key), None)

    def _group_id(self, conn: Connection, wid: int, name: str) -> int | None:
        found = self._group(conn, wid, name)
        return None if found is None else found[0]

    def groups(self, code: str) -> list[str]:
        """Names of the groups that joined, in order of joining."""
        with self.reading() as conn:
            wid = self._workshop(conn, code).id
            return list(
                conn.execute(
                    sa.select(t.groups.c.name).where(t.groups.c.workshop_id == wid).order_by(t.groups.c.id)
                ).scalars()
            )

    # -- futures -------------------------------------------------------------

    def save_future(
        self,
        code: str,
        group: str,
        future: str,
        scenario_yaml: str,
        notes: Notes | None = None,
        save_id: str | None = None,
    ) -> FutureVersion:
        """Save a new version of a group's future (the first save creates the future).

        The scenario must be valid on the workshop's current model; the version
        records that model. Saving again with the same ``save_id`` returns the
        version already stored instead of adding one.

        Raises
        ------
        InputError
            Unknown code, a group that has not joined, bad names or notes, or a
            scenario that does not validate (each problem with its place).
        """
        group, future = clean_name(group, msg("group name")), clean_name(future, msg("future name"))
        notes = (notes or Notes()).checked()
        if not isinstance(scenario_yaml, str) or len(scenario_yaml) > MAX_SCENARIO:
            raise InputError(
                Problem(
                    "",
                    "scenario",
                    msg("the scenario must be text of at most {n:,} characters", n=MAX_SCENARIO),
                )
            )
        save_id = save_id or uuid.uuid4().hex
        model = self.current_model(code)
        check_future_yaml(scenario_yaml, model_file(model), future)
        checksum = content_checksum(scenario_yaml, notes)
        for attempt in range(RETRIES):
            try:
                with self.db.writing() as conn:
                    return self._save(conn, code, group, future, scenario_yaml, notes, model, checksum, save_id)
            except (IntegrityError, OperationalError) as exc:
                if isinstance(exc, OperationalError) and not is_transient(exc):
                    raise self.db.error(exc, msg("cannot save the future")) from None
                # another save of this future won the same version number, or PostgreSQL
                # refused a serialization conflict or deadlock: number again
                pause_before_retry(attempt)
        raise InputError(Problem(self.where, "", msg("the database is too busy to save now"), msg("save again")))

    def _save(
        self,
        conn: Connection,
        code: str,
        group: str,
        future: str,
        scenario_yaml: str,
        notes: Notes,
        model: ModelVersion,
        checksum: str,
        save_id: str,
    ) -> FutureVersion:
        wid = self._workshop(conn, code).id
        gid = self._group_id(conn, wid, group)
        if gid is None:
            raise InputError(
                Problem(
                    msg("group name"),
                    "",
                    msg("no group '{group}' has joined this workshop", group=group),
                    msg("join with the code and this group name first"),
                )
            )
        fid = conn.execute(  # FOR UPDATE: saves of one future queue here on PostgreSQL, as on SQLite
            sa.select(t.futures.c.id).where(t.futures.c.group_id == gid, t.futures.c.name == future).with_for_update()
        ).scalar()
        if fid is None:
            fid = t.new_id(
                conn.execute(t.futures.insert().values(workshop_id=wid, group_id=gid, name=future, created_at=now()))
            )
        else:
            again = conn.execute(
                self._versions_query().where(
                    t.future_versions.c.future_id == fid, t.future_versions.c.save_id == save_id
                )
            ).first()
            if again is not None:
                return _version(again)
        number = 1 + int(
            conn.execute(
                sa.select(sa.func.coalesce(sa.func.max(t.future_versions.c.version), 0)).where(
                    t.future_versions.c.future_id == fid
                )
            ).scalar_one()
        )
        _test_hook("kill-in-save")
        conn.execute(
            t.future_versions.insert().values(
                future_id=fid,
                version=number,
                model_id=model.id,
                scenario_yaml=scenario_yaml,
                question=notes.question,
                expectation=notes.expectation,
                found=notes.found,
                decision=notes.decision,
                content_sha256=checksum,
                save_id=save_id,
                created_at=now(),
            )
        )
        _test_hook("kill-after-insert")
        return _version(
            conn.execute(
                self._versions_query().where(
                    t.future_versions.c.future_id == fid, t.future_versions.c.version == number
                )
            ).one()
        )

    @staticmethod
    def _versions_query() -> sa.Select:
        v, f, g, m = t.future_versions, t.futures, t.groups, t.workshop_models
        return (
            sa.select(
                g.c.name.label("group_name"),
                f.c.name.label("future_name"),
                v,
                m.c.sha256.label("model_sha256"),
            )
            .join(f, v.c.future_id == f.c.id)
            .join(g, f.c.group_id == g.c.id)
            .join(m, v.c.model_id == m.c.id)
        )

    def history(self, code: str, group: str, future: str) -> list[FutureVersion]:
        """Every version of one future, oldest first."""
        with self.reading() as conn:
            wid = self._workshop(conn, code).id
            gid = self._group_id(conn, wid, clean_name(group, msg("group name")))
            rows = conn.execute(
                self._versions_query()
                .where(
                    t.futures.c.workshop_id == wid,
                    t.groups.c.id == gid,
                    t.futures.c.name == clean_name(future, msg("future name")),
                )
                .order_by(t.future_versions.c.version)
            ).all()
        return [_version(r) for r in rows]

    def versions(self, code: str, group: str | None = None) -> list[FutureVersion]:
        """Every version of every future (of one group, if given), by group, future and version."""
        with self.reading() as conn:
            wid = self._workshop(conn, code).id
            query = self._versions_query().where(t.futures.c.workshop_id == wid)
            if group is not None:
                gid = self._group_id(conn, wid, clean_name(group, msg("group name")))
                query = query.where(t.groups.c.id == gid)
            rows = conn.execute(query.order_by(t.groups.c.id, t.futures.c.id, t.future_versions.c.version)).all()
        return [_version(r) for r in rows]

    def latest(self, code: str, group: str | None = None) -> list[FutureVersion]:
        """The newest version of each future (of one group, if given)."""
        newest: dict[tuple[str, str], FutureVersion] = {}
        for item in self.versions(code, group):
            newest[(item.group, item.future)] = item
        return list(newest.values())

    def model_version(self, code: str, model_id: int) -> ModelVersion:
        """A model version of this workshop by id."""
        with self.reading() as conn:
            wid = self._workshop(conn, code).id
            row = conn.execute(
                sa.select(t.workshop_models).where(
                    t.workshop_models.c.workshop_id == wid, t.workshop_models.c.id == model_id
                )
            ).first()
        if row is None:
            raise InputError(Problem("", "model", msg("this workshop has no model version {id}", id=model_id)))
        return ModelVersion(row.id, row.name, row.sha256, row.yaml, row.created_at)


def _version(row: sa.Row) -> FutureVersion:
    return FutureVersion(
        row.group_name,
        row.future_name,
        row.version,
        row.model_id,
        row.model_sha256,
        row.scenario_yaml,
        Notes(row.question, row.expectation, row.found, row.decision),
        row.content_sha256,
        row.save_id,
        row.created_at,
    )
