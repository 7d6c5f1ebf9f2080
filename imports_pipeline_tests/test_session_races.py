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


def test_a_validate_that_ran_past_its_lease_does_not_overwrite_the_recovery(service, monkeypatch):
    """Issue 14: a step that outlived its lease was recovered by the next read, and then its
    late finish wrote `validated` over the recovered session anyway."""
    from imports_pipeline.errors import StepTakenOverError
    from imports_pipeline.sessions import validating
    from imports_pipeline.store.leases import LEASE_TIME

    created = service.create_session(
        ACTOR, "logistics_requests", "s.csv", io.BytesIO(SAMPLE_CSV.read_bytes())
    )
    real_check_rows, real_clock = validating.check_rows, service.clock

    def slow_check_rows(*args, **kwargs):
        later = real_clock() + LEASE_TIME + LEASE_TIME
        monkeypatch.setattr(service, "clock", lambda: later)
        recovered = service.get_session(ACTOR, created.import_id)  # the next read recovers it
        assert recovered.status == "parsed" and "stopped during validate" in recovered.status_detail
        return real_check_rows(*args, **kwargs)

    monkeypatch.setattr(validating, "check_rows", slow_check_rows)
    with pytest.raises(StepTakenOverError, match="ran past its lease"):
        service.validate(ACTOR, created.import_id, SEED_MAPPING)
    stored = service.repository.get(created.import_id, ACTOR.organization_id)
    assert (stored.status, stored.lease, stored.error_rows) == ("parsed", None, 0)
    monkeypatch.setattr(validating, "check_rows", real_check_rows)
    assert service.validate(ACTOR, created.import_id, SEED_MAPPING).error_rows == 2  # again: fine
