"""The phase assets materialized for one session's partition on a real Dagster instance."""

from __future__ import annotations

import dagster as dg
import pytest

from imports_pipeline.orchestration.assets import (
    PHASE_ASSETS,
)
from imports_pipeline.orchestration.assets import (
    destination_rows as destination_asset,
)
from imports_pipeline.orchestration.partitions import import_sessions
from imports_pipeline.orchestration.resources import ImportsResource
from imports_pipeline_tests.submitted import ACTOR, MESSY_FILE, destination_rows, submit_rows, trip


def materialize_import(
    instance: dg.DagsterInstance, imports: ImportsResource, import_id: str, assets=PHASE_ASSETS
):
    if not instance.has_dynamic_partition(import_sessions.name, import_id):
        instance.add_dynamic_partitions(import_sessions.name, [import_id])
    return dg.materialize(
        assets, partition_key=import_id, instance=instance, resources={"imports": imports}
    )


def test_a_run_processes_the_session_and_reports_every_phase(instance, imports, service):
    import_id = submit_rows(service, MESSY_FILE, duplicate_handling="ignore_all")
    result = materialize_import(instance, imports, import_id)
    assert result.success

    assert destination_rows(imports.destination, service) == [
        trip("R1", 1, "ACME", 10.5, "ES", "FR", import_id),
        trip("R4", 5, "ACME", 40.0, "IT", "DE", import_id),
    ]
    status = service.status(ACTOR, import_id)
    assert (status.processing_status, status.dagster_run_id) == (
        "partially_completed",
        result.run_id,
    )
    assert (status.processed_rows, status.failed_rows, status.success_rate) == (2, 3, 40.0)
    assert [p.phase for p in status.phases] == [
        "parse",
        "map",
        "prevalidate",
        "dedupe",
        "transform",
        "validate",
        "process",
        "cleanup",
    ]

    prevalidated = result.asset_materializations_for_node("prevalidated_rows")[0]
    assert prevalidated.partition == import_id
    metadata = prevalidated.metadata
    assert (
        metadata["dagster/row_count"].value,
        metadata["rows_in"].value,
        metadata["rows_rejected"].value,
    ) == (3, 5, 2)
    by_column = {r.data["column"]: r.data["rows"] for r in metadata["rejected_by_column"].records}
    assert by_column == {"distance_km": 1, "reference": 1}
    preview = metadata["rejected_preview"].value.splitlines()
    assert [name.strip() for name in preview[0].split("|")[1:-1]] == [
        "row_index",
        "column",
        "code",
        "message",
        "value",
    ]
    assert [line.split("|")[3].strip() for line in preview[2:]] == ["duplicate_key", "out_of_range"]
    assert metadata["duration_seconds"].value >= 0

    written = result.asset_materializations_for_node("destination_rows")[0].metadata
    assert (written["dagster/row_count"].value, written["detail"].value["created"]) == (2, 2)

    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"one_row_per_key": True, "no_rows_with_errors": True}


def test_rematerializing_process_leaves_the_destination_exactly_the_same(
    instance, imports, service
):
    import_id = submit_rows(service, MESSY_FILE, duplicate_handling="use_first")
    materialize_import(instance, imports, import_id)
    before = destination_rows(imports.destination, service)
    assert len(before) == 3

    again = materialize_import(instance, imports, import_id, assets=[destination_asset])
    assert again.success
    assert destination_rows(imports.destination, service) == before
    detail = again.asset_materializations_for_node("destination_rows")[0].metadata["detail"].value
    assert (detail["created"], detail["updated"], detail["unchanged"]) == (0, 0, 3)


@pytest.mark.parametrize("action", ["merge", "overwrite"])
def test_a_run_writes_the_postgresql_destination(instance, tmp_path, service, postgres_url, action):
    imports = ImportsResource(
        database_url=f"sqlite:///{tmp_path / 'imports.db'}",
        data_dir=str(tmp_path),
        destination_url=postgres_url,
    )
    import_id = submit_rows(service, MESSY_FILE, action=action, duplicate_handling="use_first")
    assert materialize_import(instance, imports, import_id).success
    assert destination_rows(imports.destination, service) == [
        trip("R1", 1, "ACME", 10.5, "ES", "FR", import_id),
        trip("R2", 2, "ACME", 20.0, "ES", "FR", import_id),
        trip("R4", 5, "ACME", 40.0, "IT", "DE", import_id),
    ]
    process = next(p for p in service.status(ACTOR, import_id).phases if p.phase == "process")
    assert process.detail["staged_with"] == "copy"
    imports.destination.dispose()


def test_a_failing_phase_fails_the_run_and_the_import(instance, imports, service):
    import_id = submit_rows(service, MESSY_FILE)
    submitted = service.repository.get_file(
        service.status(ACTOR, import_id).submitted_file_id, ACTOR.organization_id
    )
    service.files.path_of(submitted.relative_path).unlink()  # the submitted dataset is gone
    instance.add_dynamic_partitions(import_sessions.name, [import_id])
    result = dg.materialize(
        PHASE_ASSETS,
        partition_key=import_id,
        instance=instance,
        resources={"imports": imports},
        raise_on_error=False,
    )
    assert not result.success
    status = service.status(ACTOR, import_id)
    assert status.processing_status == "failed"
    assert [(p.phase, p.status) for p in status.phases] == [
        ("parse", "completed"),
        ("map", "completed"),
        ("prevalidate", "failed"),
    ]
    assert destination_rows(imports.destination, service) == []
    # The run page reads the cause first, in words, with what to do; the traceback stays below.
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    error = failure.step_failure_data.user_failure_data
    assert error.description == (
        f"Import {import_id}: the prevalidate phase failed: a table the previous phase hands over"
        " is missing (run the phases in order). What to do: fix the cause, then re-execute the run"
        " from failure in the Dagster UI (the destination ends exact)."
    )
    assert (error.metadata["phase"].value, error.metadata["import_id"].value) == (
        "prevalidate",
        import_id,
    )
    assert error.metadata["error"].value.startswith("FileNotFoundError")
