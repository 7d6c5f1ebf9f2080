"""Rolling a processed import back, as plain Python, on a real SQLite file and the real PostgreSQL
server."""

from __future__ import annotations

import pytest

from imports_pipeline.destination import RollbackConflictError
from imports_pipeline.errors import StepOutOfOrderError
from imports_pipeline.processing import ImportProcessing
from imports_pipeline_tests.submitted import ACTOR, MESSY_FILE, destination_rows, submit_rows, trip
from imports_pipeline_tests.test_processing import database_url, destination, run_all, service  # noqa: F401 - fixtures

FIRST = ["R1;2026-03-01;ACME;10,5;ES;FR", "R4;2026-03-05;ACME;40;IT;DE"]
SECOND = ["R1;2026-03-01;ACME;11;ES;FR", "R5;2026-03-06;Rhein;50;FR;ES"]
"""Updates R1 of FIRST and adds R5."""


def rollback_phase(service, import_id: str):
    return next(p for p in service.status(ACTOR, import_id).phases if p.phase == "rollback")


def test_rolling_back_the_first_import_empties_the_destination(service, destination):
    import_id = submit_rows(service, MESSY_FILE)
    run_all(service, destination, import_id)
    assert len(destination_rows(destination, service)) == 2

    result = ImportProcessing(service, destination, import_id).rollback()

    assert result.model_dump() == {
        "import_id": import_id,
        "processing_status": "rolled_back",
        "rows_removed": 2,
        "rows_restored": 0,
    }
    assert destination_rows(destination, service) == []
    status = service.status(ACTOR, import_id)
    assert status.processing_status == "rolled_back"
    phase = rollback_phase(service, import_id)
    assert (phase.status, phase.rows_in, phase.rows_out, phase.rows_rejected) == (
        "completed",
        2,
        2,
        0,
    )
    assert phase.detail == {
        "rows_removed": 2,
        "rows_restored": 0,
        "previous_status": "partially_completed",
    }
    assert [p.phase for p in status.phases][-1] == "rollback"
    assert (status.processed_rows, status.failed_rows) == (
        2,
        3,
    )  # what processing did stays on record


def test_rolling_back_an_update_restores_the_earlier_imports_values(service, destination):
    first = submit_rows(service, FIRST, ignore_errors=False)
    run_all(service, destination, first)
    before = destination_rows(destination, service)
    second = submit_rows(service, SECOND, ignore_errors=False)
    run_all(service, destination, second)
    assert destination_rows(destination, service) == [
        trip("R1", 1, "ACME", 11.0, "ES", "FR", second),
        trip("R4", 5, "ACME", 40.0, "IT", "DE", first),
        trip("R5", 6, "Rhein", 50.0, "FR", "ES", second),
    ]

    result = ImportProcessing(service, destination, second).rollback()

    assert (result.rows_removed, result.rows_restored) == (1, 1)
    assert (
        destination_rows(destination, service)
        == before
        == [
            trip("R1", 1, "ACME", 10.5, "ES", "FR", first),
            trip("R4", 5, "ACME", 40.0, "IT", "DE", first),
        ]
    )
    assert service.status(ACTOR, first).processing_status == "completed"
    ImportProcessing(service, destination, first).rollback()  # nothing later blocks it any more
    assert destination_rows(destination, service) == []


def test_a_later_import_of_the_same_rows_blocks_the_rollback_and_changes_nothing(
    service, destination
):
    first = submit_rows(service, FIRST, ignore_errors=False)
    run_all(service, destination, first)
    second = submit_rows(service, SECOND, ignore_errors=False)
    run_all(service, destination, second)
    after = destination_rows(destination, service)

    with pytest.raises(RollbackConflictError) as refused:
        ImportProcessing(service, destination, first).rollback()

    assert refused.value.context["later_imports"] == [second]
    assert refused.value.http_status == 409
    assert destination_rows(destination, service) == after
    assert service.status(ACTOR, first).processing_status == "completed"  # back to what it was
    phase = rollback_phase(service, first)
    assert phase.status == "failed" and phase.detail["later_imports"] == [second]
    assert phase.detail["error"].startswith("RollbackConflictError")


def test_a_rollback_is_refused_before_processing_settles_and_once_done(service, destination):
    import_id = submit_rows(service, FIRST, ignore_errors=False)
    with pytest.raises(StepOutOfOrderError, match="while its processing is queued"):
        ImportProcessing(service, destination, import_id).rollback()
    assert service.status(ACTOR, import_id).processing_status == "queued"

    run_all(service, destination, import_id)
    ImportProcessing(service, destination, import_id).rollback()
    with pytest.raises(StepOutOfOrderError, match="already rolled back") as again:
        ImportProcessing(service, destination, import_id).rollback()
    assert again.value.http_status == 409
    assert service.status(ACTOR, import_id).processing_status == "rolled_back"
    assert (
        rollback_phase(service, import_id).detail["rows_removed"] == 2
    )  # the refused second call recorded nothing


def crash_rollback(monkeypatch, service, destination, import_id: str, where: str) -> None:
    """Run a rollback whose process dies ``before_phase_row`` (just after the status changed),
    ``before_commit`` (inside the destination transaction) or ``after_commit``.

    ``SystemExit`` is not an ``Exception``: like a killed process, nothing settles the status, while
    the open transaction is rolled back as a dropped connection would be.
    """

    def die(*_args, **_kwargs):
        raise SystemExit("killed")

    target = {
        "before_phase_row": "imports_pipeline.store.processing.ProcessingStore.start_phase",
        "before_commit": "imports_pipeline.destination.rollback._later_imports",
        "after_commit": "imports_pipeline.store.processing.ProcessingStore.finish_phase",
    }[where]
    with monkeypatch.context() as patched:
        patched.setattr(target, die)
        with pytest.raises(SystemExit):
            ImportProcessing(service, destination, import_id).rollback()


def age_rollback(service, import_id: str, minutes: int) -> None:
    """Move the stuck rollback ``minutes`` into the past, as if the process had died that long
    ago."""
    from datetime import timedelta

    import sqlalchemy as sa

    from imports_pipeline.store.tables import ImportSessionRow, ProcessingPhaseRow

    phase = sa.and_(
        ProcessingPhaseRow.session_id == import_id, ProcessingPhaseRow.phase == "rollback"
    )
    session = ImportSessionRow.id == import_id
    with service.repository.engine.begin() as connection:
        started = connection.execute(
            sa.select(ProcessingPhaseRow.started_at).where(phase)
        ).scalar_one_or_none()
        updated = connection.execute(
            sa.select(ImportSessionRow.updated_at).where(session)
        ).scalar_one()
        if started is not None:
            connection.execute(
                sa.update(ProcessingPhaseRow)
                .where(phase)
                .values(started_at=started - timedelta(minutes=minutes))
            )
        connection.execute(
            sa.update(ImportSessionRow)
            .where(session)
            .values(updated_at=updated - timedelta(minutes=minutes))
        )


@pytest.mark.parametrize("where", ["before_phase_row", "before_commit", "after_commit"])
def test_a_rollback_whose_process_died_is_resumed_once_stalled(
    service, destination, monkeypatch, where
):
    from imports_pipeline.processing import resume_stalled_rollbacks

    first = submit_rows(service, FIRST, ignore_errors=False)
    run_all(service, destination, first)
    second = submit_rows(service, SECOND, ignore_errors=False)
    run_all(service, destination, second)
    before_second = [
        trip("R1", 1, "ACME", 10.5, "ES", "FR", first),
        trip("R4", 5, "ACME", 40.0, "IT", "DE", first),
    ]

    crash_rollback(monkeypatch, service, destination, second, where)

    assert service.status(ACTOR, second).processing_status == "rolling_back"
    expected_now = (
        before_second
        if where == "after_commit"
        else [
            trip("R1", 1, "ACME", 11.0, "ES", "FR", second),
            trip("R4", 5, "ACME", 40.0, "IT", "DE", first),
            trip("R5", 6, "Rhein", 50.0, "FR", "ES", second),
        ]
    )
    assert destination_rows(destination, service) == expected_now
    with pytest.raises(StepOutOfOrderError, match="being rolled back right now") as live:
        ImportProcessing(service, destination, second).rollback()  # too recent to be presumed dead
    assert live.value.http_status == 409
    assert resume_stalled_rollbacks(service, destination) == []

    age_rollback(service, second, minutes=20)
    [resumed] = resume_stalled_rollbacks(service, destination)

    assert resumed.import_id == second and resumed.processing_status == "rolled_back"
    assert (resumed.rows_removed, resumed.rows_restored) == (
        (0, 0) if where == "after_commit" else (1, 1)
    )
    assert destination_rows(destination, service) == before_second
    assert service.status(ACTOR, second).processing_status == "rolled_back"
    phase = rollback_phase(service, second)
    assert phase.status == "completed"
    assert (
        phase.detail["previous_status"] == "completed"
        and phase.detail["resumed_after_stall"] is True
    )
    assert resume_stalled_rollbacks(service, destination) == []  # nothing left stuck


def test_the_sweep_resumes_the_other_stalled_rollbacks_when_one_fails(
    service, destination, monkeypatch, caplog
):
    from imports_pipeline.destination import rollback as destination_rollback
    from imports_pipeline.processing import resume_stalled_rollbacks

    first = submit_rows(service, FIRST, ignore_errors=False)
    run_all(service, destination, first)
    other = submit_rows(service, ["R7;2026-03-07;ACME;70;ES;FR"], ignore_errors=False)
    run_all(service, destination, other)
    for import_id in (first, other):
        crash_rollback(monkeypatch, service, destination, import_id, "before_commit")
        age_rollback(service, import_id, minutes=20)
    real = destination_rollback.rollback_import

    def flaky(engine, template, organization_id, import_id, **options):
        if import_id == first:
            raise RuntimeError("connection reset")
        return real(engine, template, organization_id, import_id, **options)

    monkeypatch.setattr("imports_pipeline.processing.rollback.rollback_import", flaky)
    resumed = resume_stalled_rollbacks(service, destination)

    assert [r.import_id for r in resumed] == [other]
    assert service.status(ACTOR, other).processing_status == "rolled_back"
    assert (
        service.status(ACTOR, first).processing_status == "completed"
    )  # its transaction did nothing: back as it was
    assert rollback_phase(service, first).detail["error"] == "RuntimeError: connection reset"
    assert f"resuming the rollback of import {first} failed" in caplog.text
