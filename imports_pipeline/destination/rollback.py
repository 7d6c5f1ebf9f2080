"""Rollback: put back every row an import changed, as it was before the import.

Only safe while no later import changed the same rows: restoring then would
silently erase the later import's work. So a rollback first looks for later
changes (in history, and in the rows' lineage) and refuses with the ids of
those imports; they must be rolled back first, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from imports_pipeline.destination.tables import (
    HISTORY_ACTION,
    HISTORY_ID,
    HISTORY_IMPORT_ID,
    IMPORT_ID,
    ORGANIZATION_ID,
    ROW_KEY,
    ensure_destination_table,
    version_columns,
)
from imports_pipeline.destination.transaction import DEFAULT_WORK_MEM, insert, scope_transaction
from imports_pipeline.errors import DomainError
from imports_pipeline.templates.model import Template
from imports_pipeline.vocabulary import RowOutcome


class RollbackConflictError(DomainError):
    """Later imports changed rows of the import being rolled back (``context["later_imports"]``)."""

    code = "ROLLBACK_CONFLICT"
    http_status = 409


@dataclass(frozen=True)
class RollbackOutcome:
    removed: int
    """Rows the import had created, now deleted."""
    restored: int
    """Rows the import had updated or deleted, now back to their previous version."""


def rollback_import(
    engine: sa.Engine,
    template: Template,
    organization_id: str,
    import_id: str,
    work_mem: str = DEFAULT_WORK_MEM,
) -> RollbackOutcome:
    """Undo one import in one transaction; rolling back an import that changed nothing
    (or twice) does nothing."""
    rows, history = ensure_destination_table(engine, template)
    mine = sa.and_(
        history.c[HISTORY_IMPORT_ID] == import_id, history.c[ORGANIZATION_ID] == organization_id
    )
    with scope_transaction(engine, rows, organization_id, work_mem) as connection:
        later = _later_imports(connection, rows, history, organization_id, import_id)
        if later:
            raise RollbackConflictError(
                f"Import {import_id} cannot be rolled back: "
                f"later imports changed the same rows: {', '.join(later)}",
                later_imports=later,
            )
        # Rows it created: still written by it, with no earlier version in its history.
        kept_version = sa.exists().where(
            mine,
            history.c[ROW_KEY] == rows.c[ROW_KEY],
            history.c[HISTORY_ACTION] != RowOutcome.CREATED.value,
        )
        removed = connection.execute(
            sa.delete(rows).where(
                rows.c[ORGANIZATION_ID] == organization_id,
                rows.c[IMPORT_ID] == import_id,
                ~kept_version,
            )
        ).rowcount
        names = [ORGANIZATION_ID, ROW_KEY, *version_columns(template)]
        previous = sa.select(*[history.c[name] for name in names]).where(
            mine, history.c[HISTORY_ACTION] != RowOutcome.CREATED.value
        )
        restore = insert(connection, rows).from_select(names, previous)
        restored = connection.execute(
            restore.on_conflict_do_update(
                index_elements=[ORGANIZATION_ID, ROW_KEY],
                set_={name: restore.excluded[name] for name in version_columns(template)},
            ),
            execution_options={"preserve_rowcount": True},
        ).rowcount
        connection.execute(sa.delete(history).where(mine))
    return RollbackOutcome(removed=removed, restored=restored)


def _later_imports(
    connection: sa.Connection,
    rows: sa.Table,
    history: sa.Table,
    organization_id: str,
    import_id: str,
) -> list[str]:
    """Imports that changed one of this import's rows after it did.

    History catches later updates and deletes: of rows this import changed (a later
    history entry for the same key) and of rows it created or last wrote (a history
    entry whose previous version carries this import's lineage). The row's lineage
    also catches a re-run of an older import that took a row back after this one
    changed it.
    """
    mine, later = history.alias("mine"), history.alias("later")
    this_import = sa.and_(
        mine.c[HISTORY_IMPORT_ID] == import_id, mine.c[ORGANIZATION_ID] == organization_id
    )
    same_row = sa.and_(
        later.c[ORGANIZATION_ID] == mine.c[ORGANIZATION_ID], later.c[ROW_KEY] == mine.c[ROW_KEY]
    )
    in_history = (
        sa.select(later.c[HISTORY_IMPORT_ID])
        .select_from(mine.join(later, sa.and_(same_row, later.c[HISTORY_ID] > mine.c[HISTORY_ID])))
        .where(this_import, later.c[HISTORY_IMPORT_ID] != import_id)
    )
    in_lineage = (
        sa.select(rows.c[IMPORT_ID])
        .select_from(
            mine.join(
                rows,
                sa.and_(
                    rows.c[ORGANIZATION_ID] == mine.c[ORGANIZATION_ID],
                    rows.c[ROW_KEY] == mine.c[ROW_KEY],
                ),
            )
        )
        .where(this_import, rows.c[IMPORT_ID] != import_id)
    )
    over_its_versions = sa.select(history.c[HISTORY_IMPORT_ID]).where(
        history.c[ORGANIZATION_ID] == organization_id,
        history.c[IMPORT_ID] == import_id,
        history.c[HISTORY_IMPORT_ID] != import_id,
    )
    return sorted(connection.execute(sa.union(in_history, in_lineage, over_its_versions)).scalars())
