"""One partition per import session: the sensor adds them, every phase asset is split by them."""

from __future__ import annotations

import dagster as dg

from imports_pipeline.run_submission import PARTITION_TAG, SESSION_TAG

PARTITIONS_NAME = "import_sessions"
import_sessions = dg.DynamicPartitionsDefinition(name=PARTITIONS_NAME)


def import_id_of(run: dg.DagsterRun) -> str | None:
    """The import a run processes: its session tag, or for a run without our tags (a backfill
    launched from the UI, a run of the assets started by hand) its partition."""
    return run.tags.get(SESSION_TAG) or run.tags.get(PARTITION_TAG)
