"""The sensor evaluated against a real Dagster instance and a real session store."""

from __future__ import annotations

import io

import dagster as dg

from imports_pipeline.orchestration.partitions import import_sessions
from imports_pipeline.orchestration.sensors import submitted_imports
from imports_pipeline_tests.service import SAMPLE_CSV
from imports_pipeline_tests.submitted import ACTOR, MESSY_FILE, submit_rows


def tick(instance, imports) -> dg.SensorResult:
    return submitted_imports(
        dg.build_sensor_context(instance=instance, resources={"imports": imports})
    )


def test_each_submitted_session_becomes_one_run_of_its_partition(instance, imports, service):
    first = submit_rows(service, MESSY_FILE)
    second = submit_rows(service, MESSY_FILE)
    service.create_session(
        ACTOR, "logistics_requests", "not-submitted.csv", io.BytesIO(SAMPLE_CSV.read_bytes())
    )

    result = tick(instance, imports)
    requests = {r.partition_key: r for r in result.run_requests}
    assert set(requests) == {first, second}
    assert all(r.run_key == r.partition_key for r in result.run_requests)
    assert requests[first].tags == {
        "imports/session": first,
        "imports/organization": ACTOR.organization_id,
        "imports/template": "logistics_requests",
        "imports/destination": "logistics_requests",
        "imports/file": "trips.csv",
        "imports/processing_job": service.get_session(ACTOR, first).processing_job_id,
    }
    [added] = result.dynamic_partitions_requests
    assert (added.partitions_def_name, sorted(added.partition_keys)) == (
        import_sessions.name,
        sorted([first, second]),
    )


def test_a_session_already_known_or_processing_is_not_added_or_requested_again(
    instance, imports, service
):
    import_id = submit_rows(service, MESSY_FILE)
    tick(instance, imports)
    instance.add_dynamic_partitions(
        import_sessions.name, [import_id]
    )  # what the daemon does with the first tick

    waiting = tick(instance, imports)
    assert [r.run_key for r in waiting.run_requests] == [
        import_id
    ]  # same run_key: the daemon launches it once
    assert waiting.dynamic_partitions_requests == []

    imports.processing(import_id).parse(dagster_run_id="run-1")  # the run started
    started = tick(instance, imports)
    assert started.run_requests == [] and started.skip_reason is not None


def test_a_session_the_api_is_submitting_is_left_to_it_until_its_claim_is_stale(
    instance, imports, service
):
    from datetime import timedelta

    from imports_pipeline.run_submission import API_CLAIMANT

    import_id = submit_rows(service, MESSY_FILE)
    now = service.clock()
    store = service.stores.processing
    assert store.claim_launch(import_id, API_CLAIMANT, now, now)

    assert tick(instance, imports).run_requests == []  # the API's launch is under way

    old = now - timedelta(minutes=5)  # the API died before Dagster had the run
    submission = {**store.session(import_id).submission}
    submission["launch_claim"] = {"by": API_CLAIMANT, "at": old.isoformat()}
    store.update_session(import_id, old, submission=submission)
    assert [r.run_key for r in tick(instance, imports).run_requests] == [import_id]
