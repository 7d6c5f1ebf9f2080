"""The Dagster code location: only assembles what the per-concern modules define."""

from __future__ import annotations

import dagster as dg

from imports_pipeline.orchestration.assets import PHASE_ASSETS
from imports_pipeline.orchestration.jobs import (
    batch_import_job,
    expire_sessions_job,
    process_import_job,
    rollback_import_job,
)
from imports_pipeline.orchestration.resources import imports_resource
from imports_pipeline.orchestration.schedules import batch_import_schedules, expire_sessions_hourly
from imports_pipeline.orchestration.sensors import (
    dropped_files,
    failed_import_runs,
    submitted_imports,
)
from imports_pipeline.orchestration.webhooks import processed_import_webhooks, webhook_deliveries
from imports_pipeline.settings import Settings

settings = Settings.from_environment()
defs = dg.Definitions(
    assets=PHASE_ASSETS,
    jobs=[process_import_job, rollback_import_job, expire_sessions_job, batch_import_job],
    schedules=[expire_sessions_hourly, *batch_import_schedules(settings.batches_path)],
    sensors=[
        submitted_imports,
        dropped_files,
        failed_import_runs,
        processed_import_webhooks,
        webhook_deliveries,
    ],
    resources={"imports": imports_resource(settings)},
    # For the jobs that name none, Dagster's own asset job above all: a backfill or a
    # "Materialize" from an asset's page. A process per step cost ~3 s of start-up each, so a
    # 240-row import re-processed that way took 27 s; the phases are one chain anyway.
    executor=dg.in_process_executor,
)
