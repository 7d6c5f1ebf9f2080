"""The dialect-specific SQL the writer and the rollback share: one locked transaction, and upserts.

Every write to one organization's rows of one template runs serialised: the
classification of rows (new, changed, unchanged) read at the start must still
hold when the upsert runs, and history ids must follow commit order, since they
decide which import is "later".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from imports_pipeline.settings import Settings

DEFAULT_WORK_MEM = Settings().write_work_mem
"""PostgreSQL's ``work_mem`` for a write's transaction only
(``SET LOCAL``; the ``write_work_mem`` setting).

The joins of a write hash a whole file's staged rows; with the server default
(4MB) a million-row hash spills to disk in batches. Measured on a million changed
rows: the UPDATE took 16.2 s at 4MB and 10.7 s at 256MB; the whole import 30.0 s
at 4MB and 21.5 s at 128MB (benchmarks/processing.py, "update").
A hash may use ``hash_mem_multiplier`` (2 by default) times this, once per write
running at the same time (one per destination template): size it for the server.
"""


@contextmanager
def scope_transaction(
    engine: sa.Engine, table: sa.Table, organization_id: str, work_mem: str = DEFAULT_WORK_MEM
) -> Iterator[sa.Connection]:
    """One transaction holding the writer lock of (table, organization).

    PostgreSQL: a transaction-level advisory lock, so other organizations write in
    parallel, and ``work_mem`` raised for this transaction.
    SQLite: ``BEGIN IMMEDIATE``, the database's single writer lock, taken before the
    first read; pysqlite would otherwise open the transaction lazily at the first
    INSERT and run the staging DDL outside it.
    """
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            scope = f"{table.name}/{organization_id}"
            connection.execute(
                sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(scope, 0)))
            )
            connection.execute(sa.select(sa.func.set_config("work_mem", work_mem, True)))
        elif not driver_connection(connection).in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield connection


def driver_connection(connection: sa.Connection) -> Any:
    """The DB-API connection under SQLAlchemy's
    (psycopg's for COPY, sqlite3's for its transaction state)."""
    driver = connection.connection.driver_connection
    if driver is None:
        raise RuntimeError("the database connection was closed in the middle of a write")
    return driver


def insert(connection: sa.Connection, table: sa.Table) -> Any:
    """An INSERT that supports ``on_conflict_do_update/nothing``:
    the two dialects share that API."""
    dialects = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    if connection.dialect.name not in dialects:
        raise NotImplementedError(
            f"destination writes support PostgreSQL and SQLite, not {connection.dialect.name}"
        )
    return dialects[connection.dialect.name](table)
