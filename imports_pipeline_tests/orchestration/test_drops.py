"""Dropped files as runs: the sensor evaluated on a real Dagster instance claims settled files and
requests one run each; the real phase assets then read, map, submit and write them."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import dagster as dg

from imports_pipeline.orchestration.assets import PHASE_ASSETS
from imports_pipeline.orchestration.partitions import import_sessions
from imports_pipeline.orchestration.sensors import dropped_files, submitted_imports
from imports_pipeline.vocabulary import Actor
from imports_pipeline_tests.service import SAMPLE_CSV
from imports_pipeline_tests.submitted import ACTOR, destination_rows

TEMPLATE = "logistics_requests"
FOLDER_SETTINGS = "numeric_locale: es_ES\nignore_errors: true\n"


def inbox(imports) -> Path:
    folder = imports.settings().drops_root / "inbox" / ACTOR.organization_id / TEMPLATE
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "imports.yaml").write_text(FOLDER_SETTINGS)
    return folder


def drop(folder: Path, name: str, content: bytes, age_seconds: float = 60) -> Path:
    path = folder / name
    path.write_bytes(content)
    past = time.time() - age_seconds
    os.utime(path, (past, past))
    return path


def tick(instance, imports) -> dg.SensorResult:
    context = dg.build_sensor_context(instance=instance, resources={"imports": imports})
    return dropped_files(context)


def run_dropped(instance, imports, request: dg.RunRequest) -> dg.ExecuteInProcessResult:
    """What the daemon does with a request: add the partition, run the job with its tags."""
    instance.add_dynamic_partitions(import_sessions.name, [request.partition_key])
    return dg.materialize(
        PHASE_ASSETS,
        partition_key=request.partition_key,
        instance=instance,
        resources={"imports": imports},
        tags=request.tags,
        raise_on_error=False,
    )


def test_only_settled_files_are_claimed_each_as_one_run_named_by_path_and_content(
    instance, imports
):
    folder = inbox(imports)
    content = SAMPLE_CSV.read_bytes()
    drop(folder, "march.csv", content)
    drop(folder, "april.csv", b"still being written", age_seconds=0)
    drop(folder, "may.csv.part", b"a partial download")

    result = tick(instance, imports)

    [request] = result.run_requests
    key = f"{ACTOR.organization_id}/{TEMPLATE}/march.csv@{hashlib.sha256(content).hexdigest()[:16]}"
    assert request.run_key == key
    claimed = request.tags.pop("imports/claimed_file")
    assert request.tags == {
        "imports/session": request.partition_key,
        "imports/organization": ACTOR.organization_id,
        "imports/template": TEMPLATE,
        "imports/destination": TEMPLATE,
        "imports/file": "march.csv",
    }
    root = imports.settings().drops_root
    assert claimed.startswith(f"processing/{ACTOR.organization_id}/{TEMPLATE}/")
    assert (root / claimed).read_bytes() == content
    assert sorted(p.name for p in folder.iterdir()) == ["april.csv", "imports.yaml", "may.csv.part"]
    [added] = result.dynamic_partitions_requests
    assert list(added.partition_keys) == [request.partition_key]
    assert tick(instance, imports).skip_reason is not None  # claimed: never taken twice


def test_a_dropped_file_is_read_mapped_submitted_and_written_by_its_run(instance, imports, service):
    drop(inbox(imports), "march.csv", SAMPLE_CSV.read_bytes())
    [request] = tick(instance, imports).run_requests

    result = run_dropped(instance, imports, request)

    assert result.success
    import_id = request.partition_key
    status = service.status(Actor(ACTOR.organization_id), import_id)
    assert (status.status, status.actor_type, status.processing_status) == (
        "submitted",
        "sensor",
        "partially_completed",  # two rows with errors were left out (ignore_errors)
    )
    assert (status.total_rows, status.processed_rows) == (240, 238)
    assert len(destination_rows(imports.destination, service)) == 238
    parsed = result.asset_materializations_for_node("parsed_file")[0].metadata
    assert parsed["dagster/row_count"].value == 240
    mapped = result.asset_materializations_for_node("column_mapping")[0].metadata
    assert mapped["mapping"].value["distance_km"] == "Distance"
    prevalidated = result.asset_materializations_for_node("prevalidated_rows")[0].metadata
    assert (prevalidated["rows_in"].value, prevalidated["rows_out"].value) == (240, 238)
    said = [entry.user_message for entry in instance.all_logs(result.run_id)]
    assert any(line.startswith("read 240 rows of march.csv in ") for line in said)
    assert "validated 240 rows; 2 with errors left out; 238 submitted" in said
    assert any(line.startswith("process: 238 rows in, 238 out, in ") for line in said)
    root = imports.settings().drops_root
    [moved] = (root / "processed" / ACTOR.organization_id / TEMPLATE).glob("*march.csv")
    assert moved.read_bytes() == SAMPLE_CSV.read_bytes()
    assert not (root / request.tags["imports/claimed_file"]).exists()
    # The session is the run's own: the submitted-imports sensor asks for no second run.
    assert (
        submitted_imports(
            dg.build_sensor_context(instance=instance, resources={"imports": imports})
        ).run_requests
        == []
    )


def test_a_dropped_file_that_cannot_be_mapped_fails_its_run_in_words(instance, imports):
    drop(inbox(imports), "wrong.csv", b"Colour;Size\nred;3\n")
    [request] = tick(instance, imports).run_requests

    result = run_dropped(instance, imports, request)

    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    error = failure.step_failure_data.user_failure_data
    assert error.description.startswith(
        "The map step of dropped file wrong.csv stopped: required columns could not be mapped:"
    )
    assert "What to do:" in error.description
    assert error.metadata["import_id"].value == request.partition_key
    root = imports.settings().drops_root
    assert error.metadata["moved_to"].value.startswith(f"failed/{ACTOR.organization_id}/")
    assert (root / error.metadata["moved_to"].value).read_bytes() == b"Colour;Size\nred;3\n"
    # What the retry daemon reads: the same file would stop the same way, so it is not retried.
    tags = instance.get_run_by_id(result.run_id).tags
    assert tags["dagster/retry_on_asset_or_op_failure"] == "false"


def test_a_thousand_waiting_files_become_a_thousand_runs_in_one_tick(instance, imports):
    folder = inbox(imports)
    for number in range(1000):
        drop(folder, f"trips_{number:04}.csv", f"Reference\nR{number}\n".encode())

    result = tick(instance, imports)

    assert len(result.run_requests) == 1000
    assert len({request.run_key for request in result.run_requests}) == 1000
    assert {request.tags["imports/file"] for request in result.run_requests} == {
        f"trips_{number:04}.csv" for number in range(1000)
    }
    [added] = result.dynamic_partitions_requests
    assert len(set(added.partition_keys)) == 1000
    assert [p.name for p in folder.iterdir()] == ["imports.yaml"]
