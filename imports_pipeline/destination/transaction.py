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


@contextmanager
def scope_transaction(engine: sa.Engine, table: sa.Table, organization_id: str) -> Iterator[sa.Connection]:
    """One transaction holding the writer lock of (table, organization).

    PostgreSQL: a transaction-level advisory lock, so other organizations write in
    parallel. SQLite: ``BEGIN IMMEDIATE``, the database's single writer lock, taken
    before the first read; pysqlite would otherwise open the transaction lazily at
    the first INSERT and run the staging DDL outside it.
    """
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            scope = f"{table.name}/{organization_id}"
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(scope, 0))))
        elif not connection.connection.driver_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield connection


def insert(connection: sa.Connection, table: sa.Table) -> Any:
    """An INSERT that supports ``on_conflict_do_update/nothing``: the two dialects share that API."""
    dialects = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    if connection.dialect.name not in dialects:
        raise NotImplementedError(f"destination writes support PostgreSQL and SQLite, not {connection.dialect.name}")
    return dialects[connection.dialect.name](table)
