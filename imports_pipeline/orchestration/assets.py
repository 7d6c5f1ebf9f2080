"""One asset per phase of an import, partitioned by session; each is a thin call into
``processing``.

The rows handed from one phase to the next live in the session's folder (the
file store), not in Dagster's IO manager: the API's session store stays the one
place an import's data lives, and any phase can be re-run alone from the UI.
Assets only declare the order (``deps``) and report what their phase did.
"""

from collections.abc import Callable
from typing import Any

import dagster as dg

from imports_pipeline.orchestration.attempts import run_attempt
from imports_pipeline.orchestration.drops import DroppedRun
from imports_pipeline.orchestration.metadata import phase_metadata
from imports_pipeline.orchestration.partitions import import_sessions
from imports_pipeline.orchestration.resources import ImportsResource
from imports_pipeline.processing import ImportProcessing
from imports_pipeline.processing.outcomes import PhaseOutcome
from imports_pipeline.processing.recording import NEXT_STEP, plain_failure
from imports_pipeline.run_submission import FILE_TAG, ORGANIZATION_TAG, TEMPLATE_TAG
from imports_pipeline.vocabulary import Phase

GROUP = "import_phases"
ONE_ROW_PER_KEY = "one_row_per_key"
NO_ROWS_WITH_ERRORS = "no_rows_with_errors"


def _processing(context: dg.AssetExecutionContext, imports: ImportsResource) -> ImportProcessing:
    return imports.processing(context.partition_key, run_attempt(context.run, context.instance))


def _phase(
    context: dg.AssetExecutionContext, phase: Phase, run: Callable[[], PhaseOutcome]
) -> dg.MaterializeResult:
    """Run one phase and say what it did in words; a failure becomes a ``dagster.Failure`` whose
    description names the phase, the cause and what to do (the traceback stays below it)."""
    try:
        outcome = run()
    except dg.Failure:
        raise
    except Exception as error:
        tags = context.run.tags
        raise dg.Failure(
            description=(
                f"Import {context.partition_key}: {plain_failure(phase, error)}."
                f" What to do: {NEXT_STEP}."
            ),
            metadata={
                "phase": phase.value,
                "import_id": context.partition_key,
                "file": tags.get(FILE_TAG, ""),
                "organization": tags.get(ORGANIZATION_TAG, ""),
                "template": tags.get(TEMPLATE_TAG, ""),
                "error": f"{type(error).__name__}: {error}"[:500],
            },
        ) from error
    left_out = f"; {outcome.rows_rejected:,} left out" if outcome.rows_rejected else ""
    context.log.info(
        f"{phase.value}: {outcome.rows_in:,} rows in, {outcome.rows_out:,} out{left_out},"
        f" in {outcome.seconds:.1f} s"
    )
    return dg.MaterializeResult(metadata=phase_metadata(outcome))


def _phase_asset(**kwargs: Any) -> Callable[[Callable[..., Any]], dg.AssetsDefinition]:
    decorator: Callable[[Callable[..., Any]], dg.AssetsDefinition] = dg.asset(
        partitions_def=import_sessions, group_name=GROUP, **kwargs
    )
    return decorator


@_phase_asset(kinds={"parquet"})
def parsed_file(
    context: dg.AssetExecutionContext, imports: ImportsResource
) -> dg.MaterializeResult:
    """The file as a table of strings: read at session create for an API import, read here (with
    the drop folder's settings) for a dropped file. Starts processing and records the run id."""
    dropped = DroppedRun.of(context.run, imports, context.instance)
    if dropped is not None:
        dropped.parse(context.log)
        session = imports.store().session(dropped.import_id)
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": session.total_rows,
                "file": session.file_name,
                "source_columns": dg.MetadataValue.json(list(session.source_columns or [])),
            }
        )
    processing = _processing(context, imports)
    return _phase(context, Phase.PARSE, lambda: processing.parse(dagster_run_id=context.run.run_id))


@_phase_asset(deps=[parsed_file], kinds={"python"})
def column_mapping(
    context: dg.AssetExecutionContext, imports: ImportsResource
) -> dg.MaterializeResult:
    """Source columns → template columns (and category values → options): as confirmed at
    validate, or for a dropped file the folder's mapping over confident suggestions."""
    dropped = DroppedRun.of(context.run, imports, context.instance)
    if dropped is not None:
        mapping = dropped.map(context.log)
        return dg.MaterializeResult(
            metadata={"columns_mapped": len(mapping), "mapping": dg.MetadataValue.json(mapping)}
        )
    return _phase(context, Phase.MAP, _processing(context, imports).map)


@_phase_asset(deps=[column_mapping], kinds={"pandera", "parquet"})
def prevalidated_rows(
    context: dg.AssetExecutionContext, imports: ImportsResource
) -> dg.MaterializeResult:
    """The submitted rows: validated by the session (or here, then submitted, for a dropped
    file); rows still failing were left out at submit."""
    processing = _processing(context, imports)
    dropped = DroppedRun.of(context.run, imports, context.instance)
    if dropped is not None:
        dropped.submit(context.log)
        dropped.tag_processing_job(context.instance, context.run.run_id)
        processing.parse(dagster_run_id=context.run.run_id)
        processing.map()
    return _phase(context, Phase.PREVALIDATE, processing.prevalidate)


@_phase_asset(
    deps=[prevalidated_rows],
    kinds={"pandas", "arrow"},
    check_specs=[
        dg.AssetCheckSpec(
            ONE_ROW_PER_KEY,
            asset="deduplicated_rows",
            blocking=True,
            description=(
                "No key appears twice after dedupe (an upsert cannot apply two versions of a key);"
                " blocking: a failure stops the run before anything is written."
            ),
        )
    ],
)
def deduplicated_rows(
    context: dg.AssetExecutionContext, imports: ImportsResource
) -> dg.MaterializeResult:
    """One row per key, by the submission's duplicate_handling; checked, since an upsert cannot
    apply two versions of a key."""
    processing = _processing(context, imports)
    result = _phase(context, Phase.DEDUPE, processing.dedupe)
    repeated = processing.repeated_keys(Phase.DEDUPE)
    check = dg.AssetCheckResult(
        check_name=ONE_ROW_PER_KEY, passed=repeated == 0, metadata={"repeated_keys": repeated}
    )
    return dg.MaterializeResult(metadata=result.metadata, check_results=[check])


@_phase_asset(deps=[deduplicated_rows], kinds={"pandas", "arrow"})
def transformed_rows(
    context: dg.AssetExecutionContext, imports: ImportsResource
) -> dg.MaterializeResult:
    """The rows in the destination's shape, with their row key."""
    return _phase(context, Phase.TRANSFORM, _processing(context, imports).transform)


@_phase_asset(
    deps=[transformed_rows],
    kinds={"sql", "arrow"},
    check_specs=[
        dg.AssetCheckSpec(
            NO_ROWS_WITH_ERRORS,
            asset="validated_rows",
            blocking=True,
            description=(
                "No row handed to process still has an error (ignore_errors leaves such rows out,"
                " it never lets them in); blocking: a failure stops the run before the write."
            ),
        )
    ],
)
def validated_rows(
    context: dg.AssetExecutionContext, imports: ImportsResource
) -> dg.MaterializeResult:
    """The rows that pass the rules needing the destination (a delete of an unknown key does not).

    Checked before the hand-off to ``process``: ``ignore_errors`` leaves failing rows out, it never
    lets them in.
    """
    processing = _processing(context, imports)
    result = _phase(context, Phase.VALIDATE, processing.validate)
    failing = processing.rows_with_errors(Phase.VALIDATE)
    check = dg.AssetCheckResult(
        check_name=NO_ROWS_WITH_ERRORS, passed=failing == 0, metadata={"rows_with_errors": failing}
    )
    return dg.MaterializeResult(metadata=result.metadata, check_results=[check])


@_phase_asset(deps=[validated_rows], kinds={"sql"})
def destination_rows(
    context: dg.AssetExecutionContext, imports: ImportsResource
) -> dg.MaterializeResult:
    """The import's rows in the template's destination table (merge, overwrite or delete)."""
    return _phase(context, Phase.PROCESS, _processing(context, imports).process)


@_phase_asset(deps=[destination_rows], kinds={"csv"})
def processing_summary(
    context: dg.AssetExecutionContext, imports: ImportsResource
) -> dg.MaterializeResult:
    """Counters, the error file of rows left out, and the import's final processing status."""
    return _phase(context, Phase.CLEANUP, _processing(context, imports).cleanup)


PHASE_ASSETS = [
    parsed_file,
    column_mapping,
    prevalidated_rows,
    deduplicated_rows,
    transformed_rows,
    validated_rows,
    destination_rows,
    processing_summary,
]
