"""Which attempt of an import's run this is, of how many Dagster's run retries will make."""

from __future__ import annotations

import dagster as dg

from imports_pipeline.processing import RunAttempt

RETRY_NUMBER_TAG = "dagster/retry_number"
MAX_RETRIES_TAG = "dagster/max_retries"
"""The tags Dagster's run retries set (dagster._core.storage.tags; not public API)."""


def run_attempt(run: dg.DagsterRun, instance: dg.DagsterInstance) -> RunAttempt:
    retries = int(run.tags.get(MAX_RETRIES_TAG, instance.run_retries_max_retries))
    allowed = retries if instance.run_retries_enabled else 0
    number = int(run.tags.get(RETRY_NUMBER_TAG, "0")) + 1
    return RunAttempt(run.run_id, number, 1 + allowed, run.root_run_id or run.run_id)
