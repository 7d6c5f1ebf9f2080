"""Drop-folder imports on real files and a real database: claim, import, move, report."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from imports_pipeline.inbox import STALE_CLAIM_SECONDS, ready_files, scan_inbox
from imports_pipeline.vocabulary import Actor, SessionStatus
from imports_pipeline_tests.service import SAMPLE_CSV, build_service

ORG = "org-inbox"


@pytest.fixture
def service(tmp_path):
    return build_service(f"sqlite:///{tmp_path / 'imports.db'}", tmp_path)


def drop(
    root: Path,
    name: str,
    content: bytes,
    template: str = "logistics_requests",
    settings: str | None = None,
    age: float = 60,
) -> Path:
    folder = root / "inbox" / ORG / template
    folder.mkdir(parents=True, exist_ok=True)
    if settings is not None:
        (folder / "imports.yaml").write_text(settings)
    path = folder / name
    path.write_bytes(content)
    past = time.time() - age
    os.utime(path, (past, past))
    return path


def report_of(root: Path, outcome) -> dict:
    return json.loads((root / (outcome.moved_to + ".report.json")).read_text())


def test_a_clean_file_is_imported_submitted_and_moved_with_a_report(service, tmp_path):
    root = tmp_path / "drops"
    settings = (
        "numeric_locale: es_ES\nignore_errors: true\naction: overwrite\n"
        "duplicate_handling: use_first\n"
    )
    drop(root, "logistics_march.csv", SAMPLE_CSV.read_bytes(), settings=settings)
    [outcome] = scan_inbox(service, root, now=time.time)
    assert (outcome.outcome, outcome.reason) == ("submitted", None)
    assert outcome.rows == {"total": 240, "valid": 238, "errors": 2, "submitted": 238}
    assert not list((root / "inbox" / ORG / "logistics_requests").glob("*.csv"))
    moved = root / outcome.moved_to
    assert moved.parent == root / "processed" / ORG / "logistics_requests"
    assert moved.read_bytes() == SAMPLE_CSV.read_bytes()
    assert report_of(root, outcome)["import_id"] == outcome.import_id
    status = service.status(Actor(ORG), outcome.import_id)
    assert (status.status, status.actor_type, status.user_id) == (
        SessionStatus.SUBMITTED,
        "sensor",
        None,
    )
    assert (
        status.submission.action == "overwrite"
        and status.submission.duplicate_handling == "use_first"
    )
    assert status.mapping["distance_km"] == "Distance"
    assert scan_inbox(service, root, now=time.time) == []  # nothing left to take


def test_errors_stop_the_session_when_the_folder_does_not_allow_them(service, tmp_path):
    root = tmp_path / "drops"
    drop(root, "march.csv", SAMPLE_CSV.read_bytes(), settings="numeric_locale: es_ES\n")
    [outcome] = scan_inbox(service, root, now=time.time)
    assert outcome.outcome == "needs_attention"
    assert (
        outcome.reason == "2 rows have errors and the folder does not allow submitting with errors"
    )
    session = service.get_session(Actor(ORG), outcome.import_id)
    assert session.status is SessionStatus.VALIDATED
    assert session.status_detail == f"unattended import stopped: {outcome.reason}"
    assert (root / outcome.moved_to).parent == root / "failed" / ORG / "logistics_requests"


def test_fixed_mapping_wins_and_unmappable_required_columns_stop_the_session(service, tmp_path):
    root = tmp_path / "drops"
    content = b"Col A;Col B;Col C;Col D;Col E\n2026-03-01;ACME;12,5;ES;FR\n"
    settings = (
        "numeric_locale: es_ES\n"
        'mapping: {trip_date: "Col A", client: "Col B", distance_km: "Col C"}\n'
    )
    drop(root, "codes.csv", content, settings=settings)
    [outcome] = scan_inbox(service, root, now=time.time)
    assert outcome.outcome == "needs_attention"
    assert (
        outcome.reason
        == "required columns could not be mapped: origin_country, destination_country"
    )

    settings += "ignore_errors: false\n"
    folder = root / "inbox" / ORG / "logistics_requests"
    (folder / "imports.yaml").write_text(
        settings.replace(
            'distance_km: "Col C"}',
            'distance_km: "Col C", origin_country: "Col D", destination_country: "Col E"}',
        )
    )
    drop(root, "codes2.csv", content)
    [outcome] = scan_inbox(service, root, now=time.time)
    assert outcome.outcome == "submitted" and outcome.rows["submitted"] == 1


def test_files_being_written_and_partial_downloads_are_left_alone(service, tmp_path):
    root = tmp_path / "drops"
    drop(root, "fresh.csv", SAMPLE_CSV.read_bytes(), age=0)
    drop(root, "download.csv.part", b"half", age=600)
    drop(root, "~$lock.xlsx", b"lock", age=600)
    assert ready_files(root, time.time()) == []
    assert scan_inbox(service, root, now=time.time) == []
    assert sorted(p.name for p in (root / "inbox" / ORG / "logistics_requests").iterdir()) == [
        "download.csv.part",
        "fresh.csv",
        "~$lock.xlsx",
    ]


def test_bad_files_and_bad_settings_fail_with_the_reason_and_are_kept(service, tmp_path):
    root = tmp_path / "drops"
    drop(root, "empty.csv", b"")
    drop(root, "report.pdf", b"%PDF-1.4", template="leads")
    outcomes = {o.file_name: o for o in scan_inbox(service, root, now=time.time)}
    assert outcomes["empty.csv"].outcome == "failed" and "empty" in outcomes["empty.csv"].reason
    failed_session = service.get_session(Actor(ORG), outcomes["empty.csv"].import_id)
    assert failed_session.status is SessionStatus.FAILED and failed_session.actor_type == "sensor"
    assert outcomes["report.pdf"].outcome == "failed" and ".pdf" in outcomes["report.pdf"].reason
    assert (root / outcomes["report.pdf"].moved_to).read_bytes() == b"%PDF-1.4"

    drop(root, "march.csv", SAMPLE_CSV.read_bytes(), settings="action: upsert\n")
    [outcome] = scan_inbox(service, root, now=time.time)
    assert (
        outcome.outcome == "failed"
        and "imports.yaml" in outcome.reason
        and "action" in outcome.reason
    )
    assert (root / outcome.moved_to).exists()


def test_a_claim_left_by_a_crashed_run_goes_back_to_the_inbox(service, tmp_path):
    root = tmp_path / "drops"
    claimed = root / "processing" / ORG / "logistics_requests" / "abcd1234-march.csv"
    claimed.parent.mkdir(parents=True)
    claimed.write_bytes(SAMPLE_CSV.read_bytes())
    long_ago = time.time() - STALE_CLAIM_SECONDS - 1
    os.utime(claimed, (long_ago, long_ago))
    drop(root, "imports.yaml", b"numeric_locale: es_ES\nignore_errors: true\n")
    [outcome] = scan_inbox(service, root, now=time.time)
    assert outcome.file_name == "march.csv" and outcome.outcome == "submitted"
    assert not claimed.exists()
