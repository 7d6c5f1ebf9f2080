"""Schedules: the hourly expiry sweep, and one schedule per configured batch import; all on by
default."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from imports_pipeline.batches import load_batches
from imports_pipeline.orchestration.jobs import batch_import_job, expire_sessions_job

expire_sessions_hourly = dg.ScheduleDefinition(
    name="expire_sessions_hourly",
    job=expire_sessions_job,
    cron_schedule="0 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "Expire sessions never submitted past expires_at and remove old processing hand-off tables."
    ),
)


def batch_import_schedules(batches_file: Path) -> list[dg.ScheduleDefinition]:
    """One schedule per batch of ``batches_file`` (the ``batches_file`` setting), on the batch's
    cron (UTC)."""
    return [
        dg.ScheduleDefinition(
            name=f"batch_{batch.name}",
            job=batch_import_job,
            cron_schedule=batch.cron,
            execution_timezone="UTC",
            run_config={"ops": {"run_batch_import": {"config": {"batch_name": batch.name}}}},
            tags={"imports/batch": batch.name, "imports/organization": batch.organization_id},
            default_status=dg.DefaultScheduleStatus.RUNNING,
            description=(
                f"Import new files matching {batch.source} into {batch.template_id}"
                f" for {batch.organization_id}."
            ),
        )
        for batch in load_batches(batches_file)
    ]
