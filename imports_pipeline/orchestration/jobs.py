"""Jobs: processing one submitted session (its phase assets), rolling one back, the expiry sweep,
batch imports.

Rollback and expiry materialize no asset, so they are one-op jobs, each a thin call
into a plain use case (rollback is the same one ``POST /rollback`` calls). No
``from __future__ import annotations`` here: Dagster reads the ops' annotations.
"""

import dataclasses
import time
from datetime import UTC, timedelta

import dagster as dg
from pydantic import Field

from imports_pipeline.batches import load_batches, run_batch
from imports_pipeline.errors import DomainError
from imports_pipeline.expiry import (
    DEFAULT_PROCESSED_RETENTION,
    expire_sessions,
    partitions_to_remove,
)
from imports_pipeline.orchestration.assets import GROUP
from imports_pipeline.orchestration.partitions import PARTITIONS_NAME
from imports_pipeline.orchestration.resources import ImportsResource
from imports_pipeline.processing import resume_stalled_rollbacks as resume_rollbacks
from imports_pipeline.run_submission import PARTITION_TAG
from imports_pipeline.vocabulary import DropOutcome

process_import_job = dg.define_asset_job(
    name="process_import_job",
    selection=dg.AssetSelection.groups(GROUP),
    description="Dedupe, transform, validate and write one submitted import, then summarise it.",
    # The phases form one chain, so a process per step buys no parallelism and costs
    # ~3 s of start-up per step; runs still get their own process from the run launcher.
    executor_def=dg.in_process_executor,
)

NO_RETRY_ON_FAILURE = {"dagster/retry_on_asset_or_op_failure": "false"}
"""A refused rollback fails the same way on retry, and the next hourly sweep retries anyway; a
crashed run is still retried."""


class RollbackConfig(dg.Config):
    import_id: str = Field(description="The processed import to roll back.")


@dg.op
def roll_back_import(
    context: dg.OpExecutionContext, config: RollbackConfig, imports: ImportsResource
) -> dg.Output[None]:
    """Put the destination back as it was before the import; refused while later imports changed
    the same rows."""
    try:
        result = imports.processing(config.import_id).rollback()
    except DomainError as error:
        raise dg.Failure(
            description=error.message, metadata={"code": error.code, **error.context}
        ) from error
    context.log.info(
        f"import {result.import_id}: {result.rows_removed} rows removed,"
        f" {result.rows_restored} restored"
    )
    return dg.Output(None, metadata=result.model_dump(mode="json"))


@dg.job(
    tags=NO_RETRY_ON_FAILURE,
    description=(
        "Roll one processed import back (run config: ops.roll_back_import.config.import_id)."
    ),
)
def rollback_import_job() -> None:
    roll_back_import()


class ExpiryConfig(dg.Config):
    processed_retention_days: float = Field(
        default=DEFAULT_PROCESSED_RETENTION.days,
        description=(
            "How long a processed session keeps its processing.<phase>.arrow hand-off tables."
        ),
    )


@dg.op
def expire_old_sessions(
    context: dg.OpExecutionContext, config: ExpiryConfig, imports: ImportsResource
) -> dg.Output[None]:
    """Expire sessions never submitted past their time and drop old hand-off tables (see
    ``expiry.py``)."""
    service = imports.service
    outcome = expire_sessions(
        service, service.clock(), timedelta(days=config.processed_retention_days)
    )
    context.log.info(str(outcome))
    return dg.Output(None, metadata=dataclasses.asdict(outcome))


def ended_before(instance: dg.DagsterInstance, partition_key: str, cutoff: float) -> bool:
    """The partition has runs, all ended, the last before ``cutoff`` (Unix seconds). One with no
    run yet may be a dropped file whose run the daemon is creating right now."""
    runs = instance.get_runs(filters=dg.RunsFilter(tags={PARTITION_TAG: partition_key}))
    return bool(runs) and all(
        run.is_finished
        and (record := instance.get_run_record_by_id(run.run_id)) is not None
        and (record.end_time or 0) < cutoff
        for run in runs
    )


@dg.op(ins={"after_expiry": dg.In(dg.Nothing)})
def remove_old_partitions(
    context: dg.OpExecutionContext, config: ExpiryConfig, imports: ImportsResource
) -> dg.Output[None]:
    """Remove the ``import_sessions`` partitions no run can use again: sessions whose hand-offs
    the expiry step removed, expired ones, and dropped files that never became a session."""
    started = time.perf_counter()
    instance = context.instance
    keys = list(instance.get_dynamic_partitions(PARTITIONS_NAME))
    sweep = partitions_to_remove(imports.service, keys)
    cutoff = imports.service.clock() - timedelta(days=config.processed_retention_days)
    cutoff_seconds = cutoff.replace(tzinfo=UTC).timestamp()
    orphans = [key for key in sweep.without_session if ended_before(instance, key, cutoff_seconds)]
    for key in [*sweep.retired, *orphans]:
        instance.delete_dynamic_partition(PARTITIONS_NAME, key)
    removed = len(sweep.retired) + len(orphans)
    context.log.info(
        f"removed {removed:,} of {len(keys):,} import partitions"
        f" ({len(orphans):,} of dropped files that never became an import)"
        f" in {time.perf_counter() - started:.1f} s"
    )
    return dg.Output(None, metadata={"partitions": len(keys), "removed": removed})


@dg.op
def resume_stalled_rollbacks(
    context: dg.OpExecutionContext, imports: ImportsResource
) -> dg.Output[None]:
    """Finish rollbacks whose process died and left the import in ``rolling_back``."""
    results = resume_rollbacks(imports.service, imports.destination)
    for result in results:
        context.log.info(
            f"resumed the rollback of {result.import_id}: {result.rows_removed} removed,"
            f" {result.rows_restored} restored"
        )
    return dg.Output(None, metadata={"rollbacks_resumed": [result.import_id for result in results]})


@dg.job(
    tags=NO_RETRY_ON_FAILURE,
    executor_def=dg.in_process_executor,
    description=(
        "Hourly housekeeping: free the files of expired and long-processed sessions, remove"
        " their partitions, resume stalled rollbacks."
    ),
)
def expire_sessions_job() -> None:
    remove_old_partitions(after_expiry=expire_old_sessions())
    resume_stalled_rollbacks()


class BatchConfig(dg.Config):
    batch_name: str = Field(description="The batch of IMPORTS_BATCHES_FILE to run.")


@dg.op
def run_batch_import(
    context: dg.OpExecutionContext, config: BatchConfig, imports: ImportsResource
) -> dg.Output[None]:
    """Import the new files of one configured batch (see ``batches.py``); submitted ones are then
    run by the sensor."""
    settings = imports.settings()
    batches = {batch.name: batch for batch in load_batches(settings.batches_path)}
    if config.batch_name not in batches:
        raise dg.Failure(
            description=f"batch '{config.batch_name}' is not in {settings.batches_path}"
        )
    outcomes = run_batch(imports.service, settings.drops_root, batches[config.batch_name])
    for outcome in outcomes:
        context.log.info(
            f"{outcome.file_name}: {outcome.outcome}"
            + (f" ({outcome.reason})" if outcome.reason else "")
        )
    return dg.Output(
        None,
        metadata={
            "files": len(outcomes),
            "submitted": sum(o.outcome is DropOutcome.SUBMITTED for o in outcomes),
        },
    )


@dg.job(
    description=(
        "Import the new files of one scheduled batch"
        " (run config: ops.run_batch_import.config.batch_name)."
    )
)
def batch_import_job() -> None:
    run_batch_import()
