"""What a phase materialization shows in the Dagster UI: counts, rejected rows by column, a
preview, timing."""

from __future__ import annotations

from typing import Any

import dagster as dg

from imports_pipeline.processing.outcomes import PhaseOutcome

PREVIEW_ROWS = 10

REJECTED_BY_COLUMN_SCHEMA = dg.TableSchema(
    columns=[dg.TableColumn("column", "string"), dg.TableColumn("rows", "int")]
)


def rejected_by_column_table(outcome: PhaseOutcome) -> dg.TableMetadataValue:
    records = [
        dg.TableRecord({"column": column, "rows": rows})
        for column, rows in sorted(outcome.rejected_by_column.items())
    ]
    return dg.MetadataValue.table(records=records, schema=REJECTED_BY_COLUMN_SCHEMA)


def rejected_preview(outcome: PhaseOutcome) -> dg.MarkdownMetadataValue:
    """The first rejected rows with why, as a markdown table (``row_index`` counts from 0, like the
    API's rows)."""
    if outcome.rejected.empty:
        return dg.MetadataValue.md("_No rows were left out in this phase._")
    shown = outcome.rejected.head(PREVIEW_ROWS).drop(columns=["phase"])
    more = len(outcome.rejected) - len(shown)
    suffix = f"\n\n_…and {more} more._" if more > 0 else ""
    return dg.MetadataValue.md(shown.to_markdown(index=False) + suffix)


def phase_metadata(outcome: PhaseOutcome) -> dict[str, Any]:
    return {
        "dagster/row_count": outcome.rows_out,
        "imports/phase": outcome.phase.value,
        "rows_in": outcome.rows_in,
        "rows_out": outcome.rows_out,
        "rows_rejected": outcome.rows_rejected,
        "rejected_by_column": rejected_by_column_table(outcome),
        "rejected_preview": rejected_preview(outcome),
        "duration_seconds": dg.MetadataValue.float(round(outcome.seconds, 3)),
        "detail": dg.MetadataValue.json(outcome.detail),
    }
