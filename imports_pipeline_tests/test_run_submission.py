"""Who may ask Dagster for a submitted import's run: the claim the API and the sensor race for, on
a real session store, and the API's submitter when the webserver is not there."""

from __future__ import annotations

from datetime import timedelta

from imports_pipeline.run_submission import (
    API_CLAIMANT,
    SENSOR_CLAIMANT,
    DagsterRunSubmitter,
    run_tags,
)
from imports_pipeline.store.processing import LAUNCH_CLAIM
from imports_pipeline_tests.end_to_end.processes import free_port
from imports_pipeline_tests.service import build_service
from imports_pipeline_tests.submitted import MESSY_FILE, submit_rows


def test_of_the_api_and_the_sensor_one_claims_a_launch_until_the_claim_is_stale(tmp_path):
    service = build_service(f"sqlite:///{tmp_path / 'imports.db'}", tmp_path)
    store, now = service.stores.processing, service.clock()
    import_id = submit_rows(service, MESSY_FILE)
    stale = now - timedelta(seconds=60)

    assert store.claim_launch(import_id, API_CLAIMANT, now, stale)
    assert not store.claim_launch(import_id, SENSOR_CLAIMANT, now, stale)
    assert store.claim_launch(import_id, API_CLAIMANT, now, stale)  # its own: a retried submit
    later = now + timedelta(seconds=61)  # the API died holding it: the sensor may take over
    assert store.claim_launch(import_id, SENSOR_CLAIMANT, later, later - timedelta(seconds=60))
    assert store.session(import_id).submission[LAUNCH_CLAIM]["by"] == SENSOR_CLAIMANT
    assert not store.release_launch(import_id, API_CLAIMANT)  # not the API's any more

    store.compare_and_set_status(import_id, now, "queued", "processing")
    assert not store.claim_launch(import_id, API_CLAIMANT, later, later)  # a run has it


def test_a_submit_the_webserver_cannot_take_is_given_back_to_the_sensor(tmp_path):
    service = build_service(f"sqlite:///{tmp_path / 'imports.db'}", tmp_path)
    store = service.stores.processing
    import_id = submit_rows(service, MESSY_FILE)
    nobody = DagsterRunSubmitter(f"http://127.0.0.1:{free_port()}", store, service.clock, 2)

    assert nobody.submit(import_id) is None
    assert LAUNCH_CLAIM not in store.session(import_id).submission
    now = service.clock()
    assert store.claim_launch(import_id, SENSOR_CLAIMANT, now, now - timedelta(seconds=60))


def test_the_api_tags_its_runs_as_the_sensor_does(tmp_path):
    service = build_service(f"sqlite:///{tmp_path / 'imports.db'}", tmp_path)
    import_id = submit_rows(service, MESSY_FILE)
    session = service.stores.processing.session(import_id)
    assert run_tags(session) == {
        "imports/session": import_id,
        "imports/organization": session.organization_id,
        "imports/template": "logistics_requests",
        "imports/destination": "logistics_requests",
        "imports/file": "trips.csv",
        "imports/processing_job": session.processing_job_id,
    }
