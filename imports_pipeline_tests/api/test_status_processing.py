"""``GET /status`` carries the processing side: phases, counters and the run that processed the
import."""

from __future__ import annotations

from imports_pipeline.processing import ImportProcessing
from imports_pipeline.store.database import create_database_engine
from imports_pipeline_tests.service import SEED_MAPPING


def test_status_shows_phases_and_counters_after_processing(api, tmp_path):
    import_id = api.created_id()
    api.client.post(
        f"/v2/imports/{import_id}/validate", headers=api.headers, json={"mapping": SEED_MAPPING}
    )
    submitted = api.client.post(
        f"/v2/imports/{import_id}/submit",
        headers=api.headers,
        json={"ignore_errors": True, "action": "merge", "duplicate_handling": "use_first"},
    )
    assert submitted.status_code == 200

    queued = api.client.get(f"/v2/imports/{import_id}/status", headers=api.headers).json()
    assert (
        queued["processing_status"],
        queued["phases"],
        queued["processed_rows"],
        queued["success_rate"],
    ) == ("queued", [], None, None)

    destination = create_database_engine(f"sqlite:///{tmp_path / 'destination.db'}")
    processing = ImportProcessing(api.service, destination, import_id)
    processing.parse(dagster_run_id="dagster-run-1")
    for phase in ("map", "prevalidate", "dedupe", "transform", "validate", "process", "cleanup"):
        getattr(processing, phase)()

    body = api.client.get(f"/v2/imports/{import_id}/status", headers=api.headers).json()
    assert body["status"] == "submitted"
    assert (body["processing_status"], body["processing"]["processing_status"]) == (
        "partially_completed",
        "partially_completed",
    )
    assert (
        body["total_rows"],
        body["processed_rows"],
        body["failed_rows"],
        body["success_rate"],
    ) == (240, 238, 2, 99.17)
    assert body["dagster_run_id"] == "dagster-run-1"
    phases = {p["phase"]: p for p in body["phases"]}
    assert list(phases) == [
        "parse",
        "map",
        "prevalidate",
        "dedupe",
        "transform",
        "validate",
        "process",
        "cleanup",
    ]
    assert (
        phases["prevalidate"]["rows_in"],
        phases["prevalidate"]["rows_out"],
        phases["prevalidate"]["rows_rejected"],
    ) == (240, 238, 2)
    assert (
        phases["process"]["detail"]["created"] == 238 and phases["process"]["status"] == "completed"
    )
    assert all(
        p["started_at"] and p["finished_at"] and p["duration_seconds"] >= 0 for p in body["phases"]
    )
    destination.dispose()
