"""Sensors: submitted sessions become runs of their partition; dropped files become sessions."""

import time

import dagster as dg

from imports_pipeline.inbox import scan_inbox
from imports_pipeline.orchestration.attempts import run_attempt
from imports_pipeline.orchestration.jobs import process_import_job
from imports_pipeline.orchestration.partitions import PARTITIONS_NAME, import_sessions
from imports_pipeline.orchestration.resources import ImportsResource
from imports_pipeline.store.tables import ImportSessionRow
from imports_pipeline.vocabulary import DropOutcome

SESSIONS_PER_TICK = 50
"""Enough to drain a burst in a few ticks while keeping each tick short."""

SESSION_TAG = "imports/session"
ORGANIZATION_TAG = "imports/organization"
PROCESSING_JOB_TAG = "imports/processing_job"
"""The processing job id ``submit`` answered with, so the run can be found from it."""
DESTINATION_TAG = "imports/destination"
"""The template: dagster.yaml allows one run per value, so two imports never write one table at
once."""


def run_request(session: ImportSessionRow) -> dg.RunRequest:
    """``run_key`` is the session id: the daemon launches one run per session however many ticks
    see it queued."""
    return dg.RunRequest(
        partition_key=session.id,
        run_key=session.id,
        tags={
            SESSION_TAG: session.id,
            ORGANIZATION_TAG: session.organization_id,
            DESTINATION_TAG: session.template_id,
            **(
                {PROCESSING_JOB_TAG: session.processing_job_id} if session.processing_job_id else {}
            ),
        },
    )


@dg.sensor(
    job=process_import_job,
    minimum_interval_seconds=15,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def submitted_imports(
    context: dg.SensorEvaluationContext, imports: ImportsResource
) -> dg.SensorResult:
    """Sessions ``submit`` marked ``queued``; the partition is added in the same result, before its
    run is requested."""
    queued = imports.store().queued_sessions(limit=SESSIONS_PER_TICK)
    if not queued:
        return dg.SensorResult(skip_reason="No submitted import is waiting")
    known = set(context.instance.get_dynamic_partitions(PARTITIONS_NAME))
    new = [session.id for session in queued if session.id not in known]
    return dg.SensorResult(
        run_requests=[run_request(session) for session in queued],
        dynamic_partitions_requests=[import_sessions.build_add_request(new)] if new else [],
    )


@dg.run_failure_sensor(
    monitored_jobs=[process_import_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=15,
)
def failed_import_runs(context: dg.RunFailureSensorContext, imports: ImportsResource) -> None:
    """A processing run that failed outside a phase (killed, unable to start) leaves its import
    ``processing``; this settles it, failed with the reason when no retry is left."""
    run = context.dagster_run
    import_id = run.tags.get(SESSION_TAG)
    if not import_id:
        return
    cause = (context.failure_event.message or "no message").splitlines()[0][:200]
    attempt = run_attempt(run, context.instance)

    def same_chain(run_id: str) -> bool:
        named = context.instance.get_run_by_id(run_id)
        return named is not None and (named.root_run_id or named.run_id) == attempt.root_run_id

    if imports.processing(import_id, attempt).recorder.settle_dead_run(cause, same_chain):
        context.log.info(f"import {import_id}: run {run.run_id} settled after: {cause}")


FILES_PER_TICK = 10
"""Each file is parsed and validated inside the tick; a handful keeps a tick well under Dagster's
timeout."""


@dg.sensor(minimum_interval_seconds=15, default_status=dg.DefaultSensorStatus.RUNNING)
def dropped_files(context: dg.SensorEvaluationContext, imports: ImportsResource) -> dg.SkipReason:
    """Files in ``inbox/<organization>/<template>/`` become sessions; clean ones are submitted.

    It requests no run itself: a submitted session is ``queued`` like one from the
    API, and ``submitted_imports`` turns it into a run on its next tick.
    """
    outcomes = scan_inbox(
        imports.service, imports.settings().drops_root, now=time.time, limit=FILES_PER_TICK
    )
    for outcome in outcomes:
        context.log.info(
            f"{outcome.organization_id}/{outcome.template_id}/{outcome.file_name}:"
            f" {outcome.outcome}"
            + (f" ({outcome.reason})" if outcome.reason else "")
            + (f", import {outcome.import_id}" if outcome.import_id else "")
        )
    submitted = sum(o.outcome is DropOutcome.SUBMITTED for o in outcomes)
    return dg.SkipReason(
        f"{len(outcomes)} dropped files imported, {submitted} submitted"
        if outcomes
        else "No dropped file is ready"
    )
