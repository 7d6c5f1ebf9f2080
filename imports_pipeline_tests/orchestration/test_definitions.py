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


def test_dagster_yaml_limits_one_run_per_destination_and_retries(tmp_path, monkeypatch):
    shutil.copy(ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with dg.DagsterInstance.get() as instance:
        assert instance.run_retries_enabled and instance.run_monitoring_enabled
        limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
        assert limits == [{"key": "imports/destination", "value": {"applyLimitPerUniqueValue": True}, "limit": 1}]
