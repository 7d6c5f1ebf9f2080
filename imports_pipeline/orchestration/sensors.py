"""Sensors: submitted sessions become runs of their partition; settled dropped files become runs
that import them."""

import time
from datetime import timedelta

import dagster as dg

from imports_pipeline.errors import DomainError
from imports_pipeline.inbox import claim, ready_files, release_stale_claims
from imports_pipeline.orchestration.attempts import run_attempt
from imports_pipeline.orchestration.drops import drop_run_request
from imports_pipeline.orchestration.jobs import process_import_job
from imports_pipeline.orchestration.partitions import PARTITIONS_NAME, import_id_of, import_sessions
from imports_pipeline.orchestration.resources import ImportsResource
from imports_pipeline.orchestration.webhooks import RUN_STATUS_INTERVAL_SECONDS, announce_and_send
from imports_pipeline.run_submission import (
    CLAIM_SECONDS,
    SENSOR_CLAIMANT,
    SESSION_TAG,
    run_tags,
)
from imports_pipeline.store.tables import ImportSessionRow

SESSIONS_PER_TICK = 50
"""Enough to drain a burst in a few ticks while keeping each tick short."""

"""The processing job id ``submit`` answered with, so the run can be found from it."""
SENSOR_INTERVAL_SECONDS = 1
"""How often the daemon may evaluate the sensors; a tick with nothing to do is one query."""


def run_request(session: ImportSessionRow) -> dg.RunRequest:
    """``run_key`` is the session id: the daemon launches one run per session however many ticks
    see it queued."""
    return dg.RunRequest(partition_key=session.id, run_key=session.id, tags=run_tags(session))


@dg.sensor(
    job=process_import_job,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def submitted_imports(
    context: dg.SensorEvaluationContext, imports: ImportsResource
) -> dg.SensorResult:
    """Sessions ``submit`` marked ``queued``; the partition is added in the same result, before its
    run is requested. A dropped file's session already has its run."""
    queued = imports.store().queued_sessions(limit=SESSIONS_PER_TICK)
    if queued:
        filters = dg.RunsFilter(tags={SESSION_TAG: [session.id for session in queued]})
        running = {run.tags[SESSION_TAG] for run in context.instance.get_runs(filters=filters)}
        queued = [session for session in queued if session.id not in running]
        # The API may be submitting the same sessions through the webserver: claim each first.
        now = imports.service.clock()
        stale = now - timedelta(seconds=CLAIM_SECONDS)
        claim = imports.store().claim_launch
        queued = [s for s in queued if claim(s.id, SENSOR_CLAIMANT, now, stale)]
    if not queued:
        return dg.SensorResult(skip_reason="No submitted import is waiting")
    # One lookup per session, not every partition key: there is one partition per import.
    has = context.instance.has_dynamic_partition
    new = [session.id for session in queued if not has(PARTITIONS_NAME, session.id)]
    return dg.SensorResult(
        run_requests=[run_request(session) for session in queued],
        dynamic_partitions_requests=[import_sessions.build_add_request(new)] if new else [],
    )


@dg.run_failure_sensor(
    # Every job of this code location: a backfill from an asset's page runs the phase assets
    # in Dagster's own asset job, not process_import_job. Runs of no import are skipped.
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=RUN_STATUS_INTERVAL_SECONDS,
)
def failed_import_runs(context: dg.RunFailureSensorContext, imports: ImportsResource) -> None:
    """A processing run that failed outside a phase (killed, unable to start) leaves its import
    ``processing``; this settles it, failed with the reason when no retry is left. Then the
    import's webhook event (failed, or needs review for a dropped file that stopped) is sent."""
    run = context.dagster_run
    import_id = import_id_of(run)
    if not import_id:
        return
    cause = (context.failure_event.message or "no message").splitlines()[0][:200]
    attempt = run_attempt(run, context.instance)

    def same_chain(run_id: str) -> bool:
        named = context.instance.get_run_by_id(run_id)
        return named is not None and (named.root_run_id or named.run_id) == attempt.root_run_id

    try:
        settled = imports.processing(import_id, attempt).recorder.settle_dead_run(cause, same_chain)
    except DomainError:  # a dropped file's run that stopped before its session existed
        context.log.info(f"run {run.run_id} stopped before import {import_id} existed: {cause}")
        settled = False
    if settled:
        context.log.info(f"import {import_id}: run {run.run_id} settled after: {cause}")
    announce_and_send(
        imports,
        run,
        context.log,
        succeeded=False,
        reason=cause,
        last_attempt=not attempt.retries_left,
    )


FILES_PER_TICK = 1000
"""A tick only renames and hashes each file (about 0.3 ms for a small one); the run reads it."""
SETTLE_SECONDS = 5.0
"""A file unchanged for this long is taken as fully written."""


@dg.sensor(
    job=process_import_job,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def dropped_files(context: dg.SensorEvaluationContext, imports: ImportsResource) -> dg.SensorResult:
    """Settled files in ``inbox/<organization>/<template>/`` are claimed (renamed into
    ``processing/``, so two ticks never take one file) and each becomes one run of its own
    partition, which reads, maps, validates and submits it, then processes it."""
    root = imports.settings().drops_root
    started = time.perf_counter()
    released = release_stale_claims(root, time.time())
    requests = []
    for item in ready_files(root, time.time(), SETTLE_SECONDS)[:FILES_PER_TICK]:
        claimed = claim(root, item)
        if claimed is not None:
            requests.append(drop_run_request(root, item, claimed))
    if not requests:
        return dg.SensorResult(skip_reason="No dropped file has settled")
    context.log.info(
        f"claimed {len(requests):,} dropped files in {time.perf_counter() - started:.2f} s"
        + (f"; {len(released)} stale claims put back in the inbox" if released else "")
    )
    partitions = [request.partition_key for request in requests if request.partition_key]
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=[import_sessions.build_add_request(partitions)],
    )
