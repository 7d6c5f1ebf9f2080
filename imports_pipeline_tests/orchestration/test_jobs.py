"""The rollback job, the expiry job and its schedule, on a real (ephemeral) Dagster instance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg

from imports_pipeline.orchestration.definitions import defs
from imports_pipeline.orchestration.jobs import expire_sessions_job, rollback_import_job
from imports_pipeline.orchestration.schedules import expire_sessions_hourly
from imports_pipeline_tests.orchestration.test_assets import materialize_import
from imports_pipeline_tests.submitted import ACTOR, MESSY_FILE, destination_rows, submit_rows


def roll_back(instance, imports, import_id: str) -> dg.ExecuteInProcessResult:
    return rollback_import_job.execute_in_process(
        run_config={"ops": {"roll_back_import": {"config": {"import_id": import_id}}}},
        instance=instance,
        resources={"imports": imports},
        raise_on_error=False,
    )


def step_metadata(result: dg.ExecuteInProcessResult, step: str) -> dict:
    [output] = [
        e for e in result.all_events if e.event_type_value == "STEP_OUTPUT" and e.step_key == step
    ]
    return {k: v.value for k, v in output.event_specific_data.metadata.items()}


def test_the_rollback_job_restores_the_destination(instance, imports, service):
    import_id = submit_rows(service, MESSY_FILE)
    assert materialize_import(instance, imports, import_id).success
    assert len(destination_rows(imports.destination, service)) == 2

    result = roll_back(instance, imports, import_id)

    assert result.success
    assert destination_rows(imports.destination, service) == []
    assert service.status(ACTOR, import_id).processing_status == "rolled_back"
    metadata = step_metadata(result, "roll_back_import")
    assert metadata == {
        "import_id": import_id,
        "processing_status": "rolled_back",
        "rows_removed": 2,
        "rows_restored": 0,
    }
    assert (
        instance.get_run_by_id(result.run_id).tags["dagster/retry_on_asset_or_op_failure"]
        == "false"
    )


def test_the_rollback_job_fails_with_the_later_imports(instance, imports, service):
    first = submit_rows(service, MESSY_FILE)
    materialize_import(instance, imports, first)
    second = submit_rows(
        service, ["R1;2026-03-01;ACME;11;ES;FR"], ignore_errors=False
    )  # changes R1 of the first
    materialize_import(instance, imports, second)
    after = destination_rows(imports.destination, service)

    result = roll_back(instance, imports, first)

    assert not result.success
    failure = result.failure_data_for_node("roll_back_import").user_failure_data
    assert {k: v.value for k, v in failure.metadata.items()} == {
        "code": "ROLLBACK_CONFLICT",
        "later_imports": [second],
    }
    assert destination_rows(imports.destination, service) == after
    assert service.status(ACTOR, first).processing_status == "partially_completed"


def test_the_expiry_job_expires_stale_sessions(instance, imports, service):
    import io

    from imports_pipeline_tests.submitted import HEADER

    created = service.create_session(
        ACTOR,
        "logistics_requests",
        "trips.csv",
        io.BytesIO(f"{HEADER}\n{MESSY_FILE[0]}\n".encode()),
        numeric_locale="es_ES",
    )
    now = service.clock()
    service.repository.update(
        created.import_id, now, expires_at=now - timedelta(minutes=1)
    )  # the run's clock is real time

    result = expire_sessions_job.execute_in_process(
        instance=instance, resources={"imports": imports}
    )

    assert result.success
    metadata = step_metadata(result, "expire_old_sessions")
    assert (metadata["sessions_expired"], metadata["temporary_files_removed"]) == (1, 1)
    assert step_metadata(result, "resume_stalled_rollbacks") == {"rollbacks_resumed": []}
    assert service.repository.get(created.import_id, ACTOR.organization_id).status == "expired"


def test_the_hourly_schedule_runs_by_default_and_requests_a_run(instance):
    assert (
        defs.resolve_schedule_def("expire_sessions_hourly").default_status
        is dg.DefaultScheduleStatus.RUNNING
    )
    assert (expire_sessions_hourly.cron_schedule, expire_sessions_hourly.job_name) == (
        "0 * * * *",
        "expire_sessions_job",
    )
    context = dg.build_schedule_context(
        instance=instance, scheduled_execution_time=datetime(2026, 4, 8, 14, tzinfo=UTC)
    )
    [request] = expire_sessions_hourly.evaluate_tick(context).run_requests
    assert isinstance(request, dg.RunRequest) and request.run_config == {}
    assert {job.name for job in defs.resolve_all_job_defs()} >= {
        "process_import_job",
        "rollback_import_job",
        "expire_sessions_job",
    }


def test_a_configured_batch_gets_a_running_schedule_and_its_job_imports_new_files(
    tmp_path, imports, service, instance
):
    from imports_pipeline.orchestration.jobs import batch_import_job
    from imports_pipeline.orchestration.schedules import batch_import_schedules
    from imports_pipeline.vocabulary import Actor
    from imports_pipeline_tests.service import SAMPLE_CSV

    source = tmp_path / "partner"
    source.mkdir()
    (source / "trips_march.csv").write_bytes(SAMPLE_CSV.read_bytes())
    (tmp_path / "batches.yaml").write_text(
        f"""batches:
  - name: partner_trips
    cron: "30 2 * * *"
    organization_id: org-batch
    template_id: logistics_requests
    source: {source}/*.csv
    settings: {{numeric_locale: es_ES, ignore_errors: true}}
"""
    )
    [schedule] = batch_import_schedules(tmp_path / "batches.yaml")
    assert (schedule.name, schedule.cron_schedule, schedule.default_status) == (
        "batch_partner_trips",
        "30 2 * * *",
        dg.DefaultScheduleStatus.RUNNING,
    )
    [request] = schedule.evaluate_tick(dg.build_schedule_context(instance=instance)).run_requests
    assert request.run_config == {
        "ops": {"run_batch_import": {"config": {"batch_name": "partner_trips"}}}
    }

    result = batch_import_job.execute_in_process(
        run_config=request.run_config, instance=instance, resources={"imports": imports}
    )
    assert result.success
    [session] = service.list_sessions(Actor("org-batch")).items
    assert (session.status, session.actor_type, session.file_name) == (
        "submitted",
        "sensor",
        "trips_march.csv",
    )
    again = batch_import_job.execute_in_process(
        run_config=request.run_config, instance=instance, resources={"imports": imports}
    )
    assert again.success and service.list_sessions(Actor("org-batch")).total == 1
