"""The rollback job, the expiry job and its schedule, on a real (ephemeral) Dagster instance."""

from __future__ import annotations

import time
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


def test_the_expiry_job_removes_the_partitions_no_run_can_use_again(
    instance, imports, service, tmp_path
):
    import io

    from imports_pipeline.orchestration.partitions import import_sessions
    from imports_pipeline_tests.orchestration.test_drops import drop, inbox, run_dropped, tick
    from imports_pipeline_tests.submitted import HEADER

    old, recent = submit_rows(service, MESSY_FILE), submit_rows(service, MESSY_FILE)
    for import_id in (old, recent):
        assert materialize_import(instance, imports, import_id).success
    now = service.clock()
    service.stores.processing.update_session(old, now - timedelta(days=8))  # settled 8 days ago
    abandoned = service.create_session(
        ACTOR,
        "logistics_requests",
        "t.csv",
        io.BytesIO(f"{HEADER}\n{MESSY_FILE[0]}\n".encode()),
        numeric_locale="es_ES",
    ).import_id
    service.repository.update(abandoned, now, expires_at=now - timedelta(minutes=1))
    instance.add_dynamic_partitions(import_sessions.name, [abandoned, "run-being-created"])
    folder = inbox(imports)
    (folder / "imports.yaml").write_text("numeric_locale: [broken\n")
    drop(folder, "trips.csv", f"{HEADER}\n{MESSY_FILE[0]}\n".encode())
    [request] = tick(instance, imports).run_requests
    assert not run_dropped(instance, imports, request).success  # stopped before any session
    orphan = request.partition_key

    result = expire_sessions_job.execute_in_process(
        instance=instance, resources={"imports": imports}
    )

    assert result.success
    assert step_metadata(result, "expire_old_sessions")["processed_sessions_cleaned"] == 1
    assert step_metadata(result, "remove_old_partitions") == {"partitions": 5, "removed": 2}
    # The old import's hand-offs are gone and the abandoned session expired: both partitions go.
    # The recent import can still be re-executed; the dropped file's run ended a moment ago; a
    # partition without a run yet may be the daemon's next run.
    left = set(instance.get_dynamic_partitions(import_sessions.name))
    assert left == {recent, orphan, "run-being-created"}

    zero = {"ops": {"remove_old_partitions": {"config": {"processed_retention_days": 0}}}}
    time.sleep(1.1)  # the store's clock has whole seconds: let the failed run end before "now"
    result = expire_sessions_job.execute_in_process(
        instance=instance, resources={"imports": imports}, run_config=zero
    )
    assert result.success
    assert set(instance.get_dynamic_partitions(import_sessions.name)) == {
        recent,
        "run-being-created",
    }
