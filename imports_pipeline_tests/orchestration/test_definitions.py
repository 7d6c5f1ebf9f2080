"""The code location loads, and the instance settings the README ships are valid."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg

from imports_pipeline.orchestration.definitions import defs

ROOT = Path(__file__).resolve().parents[2]


def test_definitions_assemble_the_phases_job_and_a_running_sensor():
    job = defs.resolve_job_def("process_import_job")
    assert job.partitions_def.name == "import_sessions"
    assert len(defs.resolve_all_asset_specs()) == 8
    sensor = defs.resolve_sensor_def("submitted_imports")
    assert sensor.default_status is dg.DefaultSensorStatus.RUNNING
    assert sensor.job_name == "process_import_job"


def test_every_job_runs_its_steps_in_one_process_backfills_included():
    """Dagster's own asset job (backfills, "Materialize" on an asset page) included: it took a
    process per step by default, about 3 s of start-up each."""
    jobs = {job.name: job.executor_def.name for job in defs.resolve_all_job_defs()}
    assert "__ASSET_JOB" in jobs and set(jobs.values()) == {"in_process"}, jobs


def test_dagster_yaml_limits_one_run_per_destination_and_retries(tmp_path, monkeypatch):
    shutil.copy(ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with dg.DagsterInstance.get() as instance:
        assert instance.run_retries_enabled and instance.run_monitoring_enabled
        assert type(instance.run_launcher).__name__ == "WarmRunLauncher"
        assert instance.run_coordinator.dequeue_interval_seconds == 1  # type: ignore[attr-defined]
        limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
        assert limits == [
            {"key": "imports/destination", "value": {"applyLimitPerUniqueValue": True}, "limit": 1}
        ]


def test_the_postgres_instance_settings_run_an_import_on_a_real_server(
    tmp_path, monkeypatch, postgres_server, imports, service
):
    """dagster.postgres.yaml as the README ships it: runs, events and partitions stored in
    PostgreSQL."""
    import sqlalchemy as sa

    from imports_pipeline.orchestration.assets import PHASE_ASSETS
    from imports_pipeline.orchestration.partitions import import_sessions
    from imports_pipeline_tests.submitted import MESSY_FILE, submit_rows

    postgres_server.create_database("dagster_instance")
    shutil.copy(ROOT / "dagster.postgres.yaml", tmp_path / "dagster.yaml")
    for name, value in {
        "DAGSTER_HOME": str(tmp_path),
        "DAGSTER_PG_HOST": "127.0.0.1",
        "DAGSTER_PG_PORT": str(postgres_server.port),
        "DAGSTER_PG_USER": "postgres",
        "DAGSTER_PG_PASSWORD": "trust-auth-ignores-it",
        "DAGSTER_PG_DB": "dagster_instance",
    }.items():
        monkeypatch.setenv(name, value)
    import_id = submit_rows(service, MESSY_FILE)
    with dg.DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        instance.add_dynamic_partitions(import_sessions.name, [import_id])
        result = dg.materialize(
            PHASE_ASSETS, partition_key=import_id, instance=instance, resources={"imports": imports}
        )
        assert result.success
    engine = sa.create_engine(postgres_server.url("dagster_instance"))
    with engine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT status FROM runs WHERE run_id = :id"), {"id": result.run_id}
        ).scalar()
        partitions = (
            conn.execute(sa.text("SELECT partition FROM dynamic_partitions")).scalars().all()
        )
    engine.dispose()
    assert stored == "SUCCESS" and partitions == [import_id]
