"""Steps that race for one session, and steps that fail in unexpected ways (issue 14 review)."""

from __future__ import annotations

import io

import pytest

from imports_pipeline.errors import StepOutOfOrderError
from imports_pipeline_tests.service import SAMPLE_CSV, SEED_MAPPING, build_service
from imports_pipeline_tests.submitted import ACTOR


@pytest.fixture
def service(tmp_path):
    service = build_service(f"sqlite:///{tmp_path / 'imports.db'}", tmp_path)
    yield service
    service.repository.engine.dispose()


def test_a_validate_that_waited_for_the_lock_does_not_undo_a_submit(service, monkeypatch):
    created = service.create_session(
        ACTOR, "logistics_requests", "s.csv", io.BytesIO(SAMPLE_CSV.read_bytes())
    )
    service.validate(ACTOR, created.import_id, SEED_MAPPING)
    real_lock = service.tables.lock
    sneaked: list[str] = []

    def lock_after_a_submit(import_id: str):
        if not sneaked:  # the validate passed its first check; a submit finishes first
            sneaked.append("running")
            sneaked[0] = service.submit(ACTOR, import_id, ignore_errors=True).processing_job_id
        return real_lock(import_id)

    monkeypatch.setattr(service.tables, "lock", lock_after_a_submit)
    with pytest.raises(StepOutOfOrderError, match="already submitted"):
        service.validate(ACTOR, created.import_id, SEED_MAPPING)
    status = service.status(ACTOR, created.import_id)
    assert (status.status, status.processing_status) == ("submitted", "queued")
    assert status.processing_job_id == sneaked[0]


def test_an_unexpected_parse_failure_is_on_record_and_holds_no_lease(service, monkeypatch):
    def broken(*_args, **_kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr("imports_pipeline.sessions.creating.read_table", broken)
    with pytest.raises(OSError):
        service.create_session(
            ACTOR, "logistics_requests", "s.csv", io.BytesIO(SAMPLE_CSV.read_bytes())
        )
    [row] = service.list_sessions(ACTOR, include_expired=True).items
    stored = service.repository.get(row.id, ACTOR.organization_id)
    assert (stored.status, stored.lease) == ("failed", None)
    assert stored.status_detail == "the upload could not be read (an internal OSError)"
