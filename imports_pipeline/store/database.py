"""Engine creation and schema upgrades for the session store.

SQLite is the embedded default; it runs in WAL mode with a busy timeout because
the API and Dagster's run processes write the same file at the same time.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def destination_engine(
    session_store: sa.Engine, destination_url: str | None, default_file: Path
) -> sa.Engine:
    """Where the per-template destination tables live: ``destination_url``; else, beside a SQLite
    session store, a SQLite file of its own (``default_file``), so a long destination write never
    holds the lock that API requests wait on; else the session store's own PostgreSQL database.

    A SQLite session store that already holds destination tables (a data folder from before they
    moved) keeps them there, so an upgrade finds its rows where it left them. The one place this
    rule lives: Dagster's runs write the destination and the API rolls it back, so both must find
    it in the same place.
    """
    if destination_url:
        return create_database_engine(destination_url)
    if session_store.dialect.name != "sqlite" or holds_destination_tables(session_store):
        return session_store
    return create_database_engine(f"sqlite:///{default_file}")


DESTINATION_PREFIX = "imports_"
"""Destination tables are ``imports_<template>`` (and ``_history``); session tables are not."""


def holds_destination_tables(engine: sa.Engine) -> bool:
    names = sa.inspect(engine).get_table_names()
    return any(n.startswith(DESTINATION_PREFIX) and "staging" not in n for n in names)


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_database_engine(url: str) -> sa.Engine:
    """An engine for a session store or destination; ``postgresql+psycopg2://`` (the usual
    spelling, and Dagster's) runs on psycopg 3, whose COPY the destination writer uses."""
    parsed = sa.engine.make_url(url)
    if parsed.drivername == "postgresql+psycopg2":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30})
        sa.event.listen(engine, "connect", _tune_sqlite)
        return engine
    engine = sa.create_engine(url)
    ping_connections_left_idle(engine)
    return engine


IDLE_PING_SECONDS = 10.0
"""A pooled connection unused this long is pinged before it is handed out again."""

_RETURNED_AT = "imports_pipeline.returned_at"


def ping_connections_left_idle(engine: sa.Engine) -> None:
    """Ping a pooled PostgreSQL connection before use only if it sat idle ``IDLE_PING_SECONDS``.

    SQLAlchemy's ``pool_pre_ping`` pings at every checkout: a round trip per repository call,
    34 in one session of the load test, about 4 % of the API's CPU there and a sixth of
    PostgreSQL's. What a ping catches is a connection the server closed while it sat in the pool
    (a restart, an idle timeout); one used a moment ago is alive, and should the server die
    while it is in use the error invalidates the whole pool. A dead connection found here is
    replaced before the caller sees it (the pool retries on ``DisconnectionError``).
    """

    @sa.event.listens_for(engine.pool, "checkin")
    def remember_when(dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @sa.event.listens_for(engine.pool, "checkout")
    def ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        returned_at = record.info.get(_RETURNED_AT)
        if returned_at is None or time.monotonic() - returned_at < IDLE_PING_SECONDS:
            return  # just connected, or in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as dead:
            raise sa.exc.DisconnectionError(
                f"pooled connection closed by the server: {dead}"
            ) from dead


def upgrade_schema(engine: sa.Engine) -> None:
    """Bring the database to the newest migration; safe to call at every start.

    Alembic is imported here, not at the top: it costs 0.4 s, and a run worker or a sensor that
    imports the stores for something else should not pay it.
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
