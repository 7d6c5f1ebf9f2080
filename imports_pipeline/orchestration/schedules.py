"""Schedules: the hourly expiry sweep, on by default so files of dead sessions never pile up."""

from __future__ import annotations

import dagster as dg

from imports_pipeline.orchestration.jobs import expire_sessions_job

expire_sessions_hourly = dg.ScheduleDefinition(
    name="expire_sessions_hourly",
    job=expire_sessions_job,
    cron_schedule="0 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Expire sessions never submitted past expires_at and remove old processing hand-off tables.",
)
