"""Honest processing status (issue 14): a failing run that Dagster will retry stays processing and
says which attempt failed and why, in words; failed only when no retry is left; the run that
works on the import is the one named."""

from __future__ import annotations

import dagster as dg
import pytest

from imports_pipeline.orchestration.assets import PHASE_ASSETS
from imports_pipeline.orchestration.partitions import import_sessions
from imports_pipeline.orchestration.resources import ImportsResource
from imports_pipeline.orchestration.sensors import failed_import_runs
from imports_pipeline.processing import ImportProcessing, RunAttempt
from imports_pipeline.store.database import create_database_engine
from imports_pipeline.vocabulary import PHASE_ORDER
from imports_pipeline_tests.service import build_service
from imports_pipeline_tests.submitted import ACTOR, MESSY_FILE, submit_rows

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2"
"""A destination nobody listens on: the connection is refused, as in an outage."""


@pytest.fixture
def service(tmp_path):
    service = build_service(f"sqlite:///{tmp_path / 'imports.db'}", tmp_path)
    yield service
    service.repository.engine.dispose()


def run_until_process(service, destination, import_id: str, attempt: RunAttempt) -> None:
    processing = ImportProcessing(service, destination, import_id, attempt)
    for phase in PHASE_ORDER[:6]:
        getattr(processing, phase.value)()
    with pytest.raises(Exception, match=r"refused|connect"):
        processing.process()


def test_a_failed_attempt_with_retries_left_stays_processing_and_says_why(service):
    import_id = submit_rows(service, MESSY_FILE)
    outage = create_database_engine(UNREACHABLE)
    run_until_process(service, outage, import_id, RunAttempt("run-1", 1, 3))
    status = service.status(ACTOR, import_id)
    assert (status.processing_status, status.dagster_run_id) == ("processing", "run-1")
    assert status.status_detail == (
        "attempt 1 of 3 failed, Dagster retries it: the process phase failed: the database"
        " refused the connection or stopped answering"
    )
    [process] = [p for p in status.phases if p.phase == "process"]
    assert process.detail["error"].startswith("OperationalError")  # the technical error stays


def test_the_last_attempt_fails_the_import_with_what_to_do(service):
    import_id = submit_rows(service, MESSY_FILE)
    outage = create_database_engine(UNREACHABLE)
    run_until_process(service, outage, import_id, RunAttempt("run-3", 3, 3))
    status = service.status(ACTOR, import_id)
    assert (status.processing_status, status.import_status) == ("failed", "failed")
    assert status.status_detail.startswith("the process phase failed: the database refused")
    assert "re-execute the run from failure in the Dagster UI" in status.status_detail
    assert status.reason == status.status_detail


def test_a_re_execution_names_its_own_run_and_clears_the_retry_note(service, tmp_path):
    import_id = submit_rows(service, MESSY_FILE)
    outage = create_database_engine(UNREACHABLE)
    run_until_process(service, outage, import_id, RunAttempt("run-1", 1, 3))
    destination = create_database_engine(f"sqlite:///{tmp_path / 'destination.db'}")
    again = ImportProcessing(service, destination, import_id, RunAttempt("run-2", 2, 3))
    again.process()  # re-execution from failure: parse does not run again
    again.cleanup()
    status = service.status(ACTOR, import_id)
    assert (status.processing_status, status.dagster_run_id) == ("partially_completed", "run-2")
    assert status.status_detail is None


def imports_at(tmp_path, **fields: str) -> ImportsResource:
    """The resource over ``service``'s store and files, with ``fields`` changed."""
    settings = {"database_url": f"sqlite:///{tmp_path / 'imports.db'}", "data_dir": str(tmp_path)}
    return ImportsResource(**{**settings, **fields})


def materialize(instance, imports: ImportsResource, import_id: str, **tags: str):
    """One run of the phase assets for the import, allowed to fail, tagged as the sensor tags it."""
    instance.add_dynamic_partitions(import_sessions.name, [import_id])
    return dg.materialize(
        PHASE_ASSETS,
        partition_key=import_id,
        instance=instance,
        resources={"imports": imports},
        tags={"imports/session": import_id, **tags},
        raise_on_error=False,
    )


def report_run_failure(instance, run_id: str, imports: ImportsResource) -> None:
    """Evaluate the run-failure sensor on ``run_id``'s failure, as the daemon would."""
    [failure] = instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    context = dg.build_run_status_sensor_context(
        sensor_name="failed_import_runs",
        dagster_event=failure.dagster_event,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(run_id),
        resources={"imports": imports},
    )
    failed_import_runs(context.for_run_failure())


def test_the_assets_count_the_attempts_of_the_instances_retries(tmp_path, service):
    import_id = submit_rows(service, MESSY_FILE)
    overrides = {"run_retries": {"enabled": True, "max_retries": 2}}
    with dg.instance_for_test(overrides=overrides) as instance:
        # as the retry daemon tags a run's first retry
        imports = imports_at(tmp_path, destination_url=UNREACHABLE)
        result = materialize(instance, imports, import_id, **{"dagster/retry_number": "1"})
    assert not result.success
    status = service.status(ACTOR, import_id)
    assert status.processing_status == "processing" and status.dagster_run_id == result.run_id
    assert status.status_detail.startswith("attempt 2 of 3 failed, Dagster retries it")


def test_a_run_that_fails_outside_a_phase_is_settled_by_the_failure_sensor(tmp_path, service):
    import_id = submit_rows(service, MESSY_FILE)
    broken = imports_at(tmp_path, database_url=UNREACHABLE)  # cannot start
    with dg.instance_for_test() as instance:  # no run retries: this was the last attempt
        result = materialize(instance, broken, import_id)
        assert not result.success
        assert service.status(ACTOR, import_id).processing_status == "queued"  # no phase ran
        report_run_failure(instance, result.run_id, imports_at(tmp_path))
    status = service.status(ACTOR, import_id)
    assert (status.processing_status, status.import_status) == ("failed", "failed")
    assert status.status_detail.startswith("the run stopped outside a phase: ")
    assert status.status_detail.endswith("(the destination ends exact)")


def test_the_failure_sensor_keeps_a_phase_failures_own_reason(tmp_path, service):
    import_id = submit_rows(service, MESSY_FILE)
    imports = imports_at(tmp_path, destination_url=UNREACHABLE)
    with dg.instance_for_test() as instance:
        result = materialize(instance, imports, import_id)
        before = service.status(ACTOR, import_id).status_detail
        report_run_failure(instance, result.run_id, imports)
    after = service.status(ACTOR, import_id)
    assert after.status_detail == before and before.startswith("the process phase failed")
    assert after.processing_status == "failed"
