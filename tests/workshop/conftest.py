"""Fixtures for the workshop tests: a small model with known answers, and stores
on SQLite (always) and PostgreSQL (when ``BWSIM_TEST_POSTGRES_URL`` is reachable).

Tests marked ``postgres`` fail instead of skipping when the environment variable
``CI`` is set and the server is missing: CI must not pass by skipping them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from simulator.workshop.store import WorkshopStore

from .helpers import MODEL_YAML, future_yaml

POSTGRES_ENV = "BWSIM_TEST_POSTGRES_URL"


def postgres_url() -> str:
    """The test server's URL, or fail (CI) / skip (elsewhere) when it is missing or unreachable."""
    url = os.environ.get(POSTGRES_ENV, "")
    reason = ""
    if not url:
        reason = f"{POSTGRES_ENV} is not set"
    else:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 5})
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError as exc:
            reason = f"PostgreSQL at {POSTGRES_ENV} is unreachable: {str(exc).splitlines()[0]}"
        finally:
            engine.dispose()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set, so PostgreSQL tests must run, but {reason}")
        pytest.skip(reason)
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL into a fresh PostgreSQL schema of its own, dropped afterwards."""
    url = postgres_url()
    schema = f"bwsim_test_{secrets.token_hex(6)}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    joiner = "&" if "?" in url else "?"
    try:
        yield f"{url}{joiner}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database location: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return str(tmp_path / "workshop.sqlite")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url: str) -> Iterator[WorkshopStore]:
    """An open, empty workshop store."""
    with WorkshopStore(db_url) as opened:
        yield opened


@pytest.fixture
def workshop_code(store: WorkshopStore) -> str:
    """A workshop on the tiny model with two start scenarios; groups A and B joined."""
    workshop = store.create_workshop("Test", MODEL_YAML, [future_yaml(name="start-a"), future_yaml(5, name="b")])
    store.join(workshop.code, "A")
    store.join(workshop.code, "B")
    return workshop.code


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite workshop database in ``tmp_path``, named to the app through ``BWSIM_WORKSHOP_DB``."""
    location = str(tmp_path / "workshop.sqlite")
    monkeypatch.setenv("BWSIM_WORKSHOP_DB", location)
    return location
