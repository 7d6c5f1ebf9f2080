"""Webhooks from Dagster: a finished processing run announces its import's event, and a sensor
sends due deliveries and their retries. The deciding and sending are ``notifications``' plain
functions; these only read the run."""

from __future__ import annotations

import logging

import dagster as dg

from imports_pipeline.notifications.announcing import FinishedRun, announce
from imports_pipeline.notifications.delivery import DeliveryRound, deliver_due, delivery_client
from imports_pipeline.orchestration.partitions import import_id_of
from imports_pipeline.orchestration.resources import ImportsResource
from imports_pipeline.run_submission import (
    FILE_TAG,
    ORGANIZATION_TAG,
    TEMPLATE_TAG,
)

RUN_STATUS_INTERVAL_SECONDS = 2
"""How soon after a run ends its event is sent, at most (plus the daemon's own loop)."""
RETRY_INTERVAL_SECONDS = 5
"""The shortest backoff step is 10 s; this keeps a retry at most this late."""


def finished_run(
    run: dg.DagsterRun, succeeded: bool, reason: str | None, last_attempt: bool = True
) -> FinishedRun | None:
    """None for a run of no import (the expiry sweep, a rollback, a batch)."""
    import_id = import_id_of(run)
    if not import_id:
        return None
    return FinishedRun(
        import_id=import_id,
        organization_id=run.tags.get(ORGANIZATION_TAG),
        template_id=run.tags.get(TEMPLATE_TAG),
        file_name=run.tags.get(FILE_TAG),
        chain_id=run.root_run_id or run.run_id,
        run_id=run.run_id,
        succeeded=succeeded,
        reason=reason,
        last_attempt=last_attempt,
    )


def announce_and_send(
    imports: ImportsResource,
    run: dg.DagsterRun,
    log: logging.Logger | dg.DagsterLogManager,
    succeeded: bool,
    reason: str | None = None,
    last_attempt: bool = True,
) -> None:
    """Queue the run's event, then send what is due at once rather than a sensor interval later."""
    finished = finished_run(run, succeeded, reason, last_attempt)
    if finished is None:
        return
    service = imports.service
    queued = announce(service, finished)
    if not queued:
        return
    with delivery_client() as client:
        sent = deliver_due(service.stores.webhooks, client, service.clock)
    log.info(f"import {finished.import_id}: {queued} webhook deliveries queued; {sent}")


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    # Every job of the code location, as failed_import_runs: backfills run in the asset job.
    minimum_interval_seconds=RUN_STATUS_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def processed_import_webhooks(context: dg.RunStatusSensorContext, imports: ImportsResource) -> None:
    """A processing run that succeeded: its import is completed (or partially) for subscribers."""
    announce_and_send(imports, context.dagster_run, context.log, succeeded=True)


@dg.sensor(
    minimum_interval_seconds=RETRY_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def webhook_deliveries(
    context: dg.SensorEvaluationContext, imports: ImportsResource
) -> dg.SkipReason:
    """Deliveries due now (retries, and first attempts a sensor could not finish) are sent."""
    service = imports.service
    with delivery_client() as client:
        sent: DeliveryRound = deliver_due(service.stores.webhooks, client, service.clock)
    if sent.delivered or sent.retrying or sent.given_up:
        context.log.info(f"webhooks: {sent}")
    return dg.SkipReason(f"webhooks: {sent}")
