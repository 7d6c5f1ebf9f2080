"""The staging table: the submitted rows loaded into the database, so every write is set-based.

The only step that differs per dialect is filling it: PostgreSQL takes the rows
through ``COPY`` (CSV written by Arrow, streamed in batches), SQLite through
batched ``executemany``. Everything after reads the staging table with SQL
shared by both.
"""

from __future__ import annotations

import uuid

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import sqlalchemy as sa

from imports_pipeline.destination.tables import ROW_KEY, template_columns
from imports_pipeline.destination.transaction import driver_connection
from imports_pipeline.destination.values import template_arrays
from imports_pipeline.templates.model import Template

BATCH_ROWS = 50_000
_CSV_OPTIONS = pa_csv.WriteOptions(include_header=False, quoting_style="all_valid")
"""Valid values quoted, nulls bare: PostgreSQL's CSV format then tells NULL from an empty string."""


def staging_table(template: Template, metadata: sa.MetaData, dialect: str) -> sa.Table:
    """A temporary table with a fresh name, so a pooled connection never meets a leftover.

    On PostgreSQL without a primary key: the writer refuses frames with repeated
    keys before staging, and maintaining a unique index over a million random keys
    during ``COPY`` cost more than it saved (after ``ANALYZE`` the joins hash the
    staging table). SQLite has no hash join, so there the key stays indexed.
    """
    return sa.Table(
        f"imports_staging_{uuid.uuid4().hex[:12]}",
        metadata,
        sa.Column(ROW_KEY, sa.Text(), nullable=False, primary_key=dialect != "postgresql"),
        *template_columns(template),
        prefixes=["TEMPORARY"],
    )


def staged_rows(frame: pd.DataFrame, template: Template, keys: pd.Series) -> pa.Table:
    """The rows as the staging table holds them: key first, then template columns in order."""
    return pa.table(
        {
            ROW_KEY: pa.array(keys.to_numpy(dtype=object), pa.string()),
            **template_arrays(frame, template),
        }
    )


def fill_staging(connection: sa.Connection, staging: sa.Table, rows: pa.Table) -> str:
    """Load ``rows`` into ``staging``; returns how ("copy" or "executemany"), for the outcome."""
    if connection.dialect.name == "postgresql":
        _copy(connection, staging, rows)
        return "copy"
    for batch in rows.to_batches(max_chunksize=BATCH_ROWS):
        if batch.num_rows:
            connection.execute(staging.insert(), batch.to_pylist())
    return "executemany"


def analyze_staging(connection: sa.Connection, staging: sa.Table) -> None:
    """Statistics for the planner before a join reads the staging table.

    PostgreSQL never auto-analyses temporary tables: without statistics the
    joins against a million staged rows get planned as if it held a few.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            f"ANALYZE {connection.dialect.identifier_preparer.format_table(staging)}"
        )


def _copy(connection: sa.Connection, staging: sa.Table, rows: pa.Table) -> None:
    preparer = connection.dialect.identifier_preparer
    columns = ", ".join(preparer.quote(name) for name in rows.column_names)
    statement = f"COPY {preparer.format_table(staging)} ({columns}) FROM STDIN (FORMAT csv)"
    with driver_connection(connection).cursor() as cursor, cursor.copy(statement) as copy:
        for batch in rows.to_batches(max_chunksize=BATCH_ROWS):
            sink = pa.BufferOutputStream()
            pa_csv.write_csv(batch, sink, _CSV_OPTIONS)
            copy.write(sink.getvalue())
