"""The expiry sweep on real sessions and files, on a real SQLite file and the real PostgreSQL
server."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from imports_pipeline.errors import SessionExpiredError
from imports_pipeline.expiry import ExpiryOutcome, expire_sessions
from imports_pipeline.vocabulary import SessionStatus
from imports_pipeline_tests.submitted import ACTOR, HEADER, MAPPING, MESSY_FILE, submit_rows
from imports_pipeline_tests.test_processing import database_url, destination, run_all, service  # noqa: F401 - fixtures

HAND_OFFS = [
    f"processing.{phase}.arrow" for phase in ("dedupe", "transform", "validate", "process")
]


def files_of(service, import_id: str) -> set[str]:
    return {
        path.name
        for path in service.files.session_dir(import_id).iterdir()
        if not path.name.startswith(".")
    }


def validated_with_report(service) -> str:
    content = "\n".join([HEADER, *MESSY_FILE]) + "\n"
    created = service.create_session(
        ACTOR,
        "logistics_requests",
        "trips.csv",
        io.BytesIO(content.encode()),
        numeric_locale="es_ES",
    )
    service.validate(ACTOR, created.import_id, MAPPING)
    service.error_report(ACTOR, created.import_id, "csv")
    return created.import_id


def test_sessions_never_submitted_lose_their_tables_but_keep_the_upload(service):
    stale = validated_with_report(service)
    submitted = submit_rows(service, MESSY_FILE)
    before = files_of(service, stale)
    assert {name.split(".")[0] for name in before} == {
        "upload",
        "parsed",
        "rows",
        "errors",
        "report",
    }
    now = service.clock() + timedelta(hours=25)

    outcome = expire_sessions(service, now)

    assert outcome == ExpiryOutcome(
        sessions_expired=1,
        temporary_files_removed=4,
        processed_sessions_cleaned=0,
        hand_off_files_removed=0,
        sessions_busy=0,
    )
    assert files_of(service, stale) == {"upload.csv"}
    row = service.repository.get(stale, ACTOR.organization_id)
    assert (row.status, row.artifacts) == ("expired", {})
    assert service.original_upload(ACTOR, stale).path.read_bytes().startswith(HEADER.encode())
    service.clock = lambda: now
    assert service.get_session(ACTOR, stale).status is SessionStatus.EXPIRED
    with pytest.raises(SessionExpiredError, match="rows were removed"):
        service.rows(ACTOR, stale)
    assert (
        service.repository.get(submitted, ACTOR.organization_id).status == "submitted"
    )  # submitted sessions never expire
    assert "submitted.parquet" in files_of(service, submitted)

    assert expire_sessions(service, now) == ExpiryOutcome(0, 0, 0, 0, 0)


def test_a_session_not_yet_past_its_time_is_left_alone(service):
    fresh = validated_with_report(service)
    before = files_of(service, fresh)
    assert expire_sessions(service, service.clock() + timedelta(hours=23)).sessions_expired == 0
    assert files_of(service, fresh) == before
    assert service.repository.get(fresh, ACTOR.organization_id).status == "validated"


def test_processed_sessions_lose_their_hand_off_tables_after_the_retention(service, destination):
    import_id = submit_rows(service, MESSY_FILE)
    run_all(service, destination, import_id)
    before = files_of(service, import_id)
    assert set(HAND_OFFS) <= before
    processed_at = service.repository.get(import_id, ACTOR.organization_id).updated_at

    assert (
        expire_sessions(service, processed_at + timedelta(days=6)).processed_sessions_cleaned == 0
    )
    assert files_of(service, import_id) == before

    now = processed_at + timedelta(days=7, minutes=1)
    outcome = expire_sessions(service, now)

    assert (
        outcome.processed_sessions_cleaned,
        outcome.hand_off_files_removed,
        outcome.sessions_expired,
    ) == (1, 4, 0)
    assert files_of(service, import_id) == before - set(HAND_OFFS)
    kept = files_of(service, import_id)
    assert {
        "processing_errors.csv",
        "processing.prevalidate.rejected.parquet",
        "processing.dedupe.rejected.parquet",
    } <= kept
    status = service.status(ACTOR, import_id)
    assert status.submission.processing_files_removed_at == now.isoformat()
    assert (status.status, status.processing_status) == ("submitted", "partially_completed")

    assert expire_sessions(service, now + timedelta(days=30)) == ExpiryOutcome(
        0, 0, 0, 0, 0
    )  # never visited twice


def test_parquet_hand_offs_left_by_an_earlier_version_are_removed_too(service, destination):
    import_id = submit_rows(service, MESSY_FILE)
    run_all(service, destination, import_id)
    folder = service.files.session_dir(import_id)
    legacy = {"processing.dedupe.parquet", "processing.validate.parquet"}
    for name in legacy:
        (folder / name).write_bytes(b"PAR1 from an earlier version")
    processed_at = service.repository.get(import_id, ACTOR.organization_id).updated_at

    outcome = expire_sessions(service, processed_at + timedelta(days=7, minutes=1))

    assert outcome.hand_off_files_removed == 6
    kept = files_of(service, import_id)
    assert not (legacy | set(HAND_OFFS)) & kept
    assert {
        "processing.prevalidate.rejected.parquet",
        "processing.dedupe.rejected.parquet",
    } <= kept  # the record stays


def test_a_shorter_retention_is_honoured(service, destination):
    import_id = submit_rows(service, MESSY_FILE)
    run_all(service, destination, import_id)
    processed_at = service.repository.get(import_id, ACTOR.organization_id).updated_at
    outcome = expire_sessions(
        service, processed_at + timedelta(days=1), processed_retention=timedelta(hours=12)
    )
    assert (outcome.processed_sessions_cleaned, outcome.hand_off_files_removed) == (1, 4)


def test_the_sweep_takes_back_a_step_whose_lease_ran_out_on_another_host(service):
    """A validate that died on another machine cannot be seen dying; its lease's expiry tells."""
    from imports_pipeline.store.leases import LEASE_TIME

    content = "\n".join([HEADER, *MESSY_FILE]) + "\n"
    created = service.create_session(
        ACTOR, "logistics_requests", "trips.csv", io.BytesIO(content.encode())
    )
    now = service.clock()
    lease = {
        "step": "validate",
        "holder": "another-host:4242:abc",
        "until": (now + LEASE_TIME).isoformat(),
        "resume_status": "parsed",
    }
    service.repository.update(created.import_id, now, status="validating", lease=lease)
    expire_sessions(service, now + LEASE_TIME - timedelta(minutes=1))
    assert service.repository.get(created.import_id, ACTOR.organization_id).status == "validating"
    expire_sessions(service, now + LEASE_TIME)
    back = service.repository.get(created.import_id, ACTOR.organization_id)
    assert (back.status, back.lease) == ("parsed", None)
    assert "during validate" in back.status_detail
