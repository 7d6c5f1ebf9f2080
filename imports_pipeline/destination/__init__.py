"""The destination: where submitted rows land, one table per template, with history for rollback.

The "process" phase's machinery, free of Dagster: keys, dedupe, set-based
writes (merge, overwrite, delete) and rollback, on PostgreSQL and SQLite.
"""

from imports_pipeline.destination.dedupe import dedupe
from imports_pipeline.destination.keys import row_keys
from imports_pipeline.destination.rollback import (
    RollbackConflictError,
    RollbackOutcome,
    rollback_import,
)
from imports_pipeline.destination.tables import (
    DestinationTables,
    destination_table,
    destination_tables,
    ensure_destination_table,
    history_table,
)
from imports_pipeline.destination.writer import WriteOutcome, write_destination

__all__ = [
    "DestinationTables",
    "RollbackConflictError",
    "RollbackOutcome",
    "WriteOutcome",
    "dedupe",
    "destination_table",
    "destination_tables",
    "ensure_destination_table",
    "history_table",
    "rollback_import",
    "row_keys",
    "write_destination",
]
