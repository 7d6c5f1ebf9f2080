"""SQL of the processing side: phase progress rows, and the sessions waiting for a run.

Dagster's runs write here and ``GET /status`` reads it, so the API never needs
Dagster to tell how an import is going. Processing acts for the system, not for a
caller, so lookups here are by session id alone (no organization check).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from imports_pipeline.errors import SessionNotFoundError
from imports_pipeline.store.repository import SessionRepository
from imports_pipeline.store.tables import ImportSessionRow, ProcessingPhaseRow
from imports_pipeline.vocabulary import PHASE_ORDER, PhaseStatus, ProcessingStatus

LAUNCH_CLAIM = "launch_claim"
"""The submission's key for who is asking Dagster for the run, and since when."""


class ProcessingStore:
    def __init__(self, repository: SessionRepository) -> None:
        self.engine = repository.engine
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._repository = repository

    def session(self, session_id: str) -> ImportSessionRow:
        with self._sessions() as db:
            row = db.get(ImportSessionRow, session_id)
        if row is None:
            raise SessionNotFoundError(f"Import session {session_id} not found")
        return row

    def update_session(self, session_id: str, now: datetime, **fields: Any) -> ImportSessionRow:
        return self._repository.update(session_id, now, **fields)

    def queued_sessions(self, limit: int) -> list[ImportSessionRow]:
        """Submitted sessions no run has picked up yet, oldest first."""
        with self._sessions() as db:
            return list(
                db.scalars(
                    sa.select(ImportSessionRow)
                    .where(ImportSessionRow.processing_status == ProcessingStatus.QUEUED.value)
                    .order_by(ImportSessionRow.updated_at, ImportSessionRow.id)
                    .limit(limit)
                ).all()
            )

    def compare_and_set_status(
        self, session_id: str, now: datetime, expected: str | None, status: str
    ) -> bool:
        """Move ``processing_status`` from ``expected`` to ``status`` in one UPDATE:
        of two callers racing, one wins."""
        with self.engine.begin() as connection:
            result = connection.execute(
                sa.update(ImportSessionRow)
                .where(
                    ImportSessionRow.id == session_id,
                    ImportSessionRow.processing_status == expected,
                )
                .values(
                    processing_status=status, updated_at=now, version=ImportSessionRow.version + 1
                )
            )
        return result.rowcount == 1

    def claim_launch(
        self, session_id: str, claimant: str, now: datetime, stale_before: datetime
    ) -> bool:
        """Take the right to ask Dagster for a queued session's run, in one UPDATE on the row's
        version: of the API and the sensor racing, one wins. The claimant's own claim, or one
        older than ``stale_before`` (its claimant died before a run existed), can be taken again.
        ``updated_at`` stays, so the queue's order does not change."""
        row = self.session(session_id)
        if row.processing_status != ProcessingStatus.QUEUED.value:
            return False
        claim = (row.submission or {}).get(LAUNCH_CLAIM) or {}
        if claim and claim["by"] != claimant and datetime.fromisoformat(claim["at"]) > stale_before:
            return False
        submission = {
            **(row.submission or {}),
            LAUNCH_CLAIM: {"by": claimant, "at": now.isoformat()},
        }
        return self._set_submission(row, submission)

    def release_launch(self, session_id: str, claimant: str) -> bool:
        """Give a claim back (Dagster did not take the run), so the sensor need not wait it out."""
        row = self.session(session_id)
        submission = dict(row.submission or {})
        if (submission.get(LAUNCH_CLAIM) or {}).get("by") != claimant:
            return False
        submission.pop(LAUNCH_CLAIM)
        return self._set_submission(row, submission)

    def _set_submission(self, row: ImportSessionRow, submission: dict[str, Any]) -> bool:
        with self.engine.begin() as connection:
            result = connection.execute(
                sa.update(ImportSessionRow)
                .where(
                    ImportSessionRow.id == row.id,
                    ImportSessionRow.version == row.version,
                    ImportSessionRow.processing_status == ProcessingStatus.QUEUED.value,
                )
                .values(submission=submission, version=ImportSessionRow.version + 1)
            )
        return result.rowcount == 1

    def settled_before(
        self, cutoff: datetime, statuses: Collection[str], unless_marked: str
    ) -> list[ImportSessionRow]:
        """Sessions whose processing settled in one of ``statuses`` before
        ``cutoff`` and whose ``submission`` has no ``unless_marked`` key
        yet (so a sweep never revisits one it finished)."""
        marker = ImportSessionRow.submission[unless_marked].as_string()
        with self._sessions() as db:
            return list(
                db.scalars(
                    sa.select(ImportSessionRow)
                    .where(
                        ImportSessionRow.processing_status.in_(list(statuses)),
                        ImportSessionRow.updated_at <= cutoff,
                        marker.is_(None),
                    )
                    .order_by(ImportSessionRow.updated_at, ImportSessionRow.id)
                ).all()
            )

    def retired(
        self, session_ids: Collection[str], marked: str, expired: str
    ) -> tuple[set[str], set[str]]:
        """Of ``session_ids``: those whose ``submission`` has the ``marked`` key or whose status is
        ``expired`` (nothing will run for them again), and those with no session at all; read in
        chunks, so 20,000 ids are 20 queries."""
        ids = list(dict.fromkeys(session_ids))
        retired: set[str] = set()
        found: set[str] = set()
        marker = ImportSessionRow.submission[marked].as_string()
        with self._sessions() as db:
            for start in range(0, len(ids), 1000):
                chunk = ids[start : start + 1000]
                rows = db.execute(
                    sa.select(
                        ImportSessionRow.id,
                        sa.or_(marker.is_not(None), ImportSessionRow.status == expired),
                    ).where(ImportSessionRow.id.in_(chunk))
                ).all()
                found.update(row[0] for row in rows)
                retired.update(row[0] for row in rows if row[1])
        return retired, set(ids) - found

    def phases(self, session_id: str) -> list[ProcessingPhaseRow]:
        """The phases run so far, in the order phases run (timestamps can tie within a second)."""
        return self.phases_of([session_id]).get(session_id, [])

    def phases_of(self, session_ids: Collection[str]) -> dict[str, list[ProcessingPhaseRow]]:
        """``phases`` of several sessions in one query (a page of a list)."""
        with self._sessions() as db:
            rows = db.scalars(
                sa.select(ProcessingPhaseRow).where(
                    ProcessingPhaseRow.session_id.in_(list(session_ids))
                )
            ).all()
        rank = {phase.value: position for position, phase in enumerate(PHASE_ORDER)}
        by_session: dict[str, list[ProcessingPhaseRow]] = {}
        for row in sorted(rows, key=lambda row: (rank.get(row.phase, len(rank)), row.started_at)):
            by_session.setdefault(row.session_id, []).append(row)
        return by_session

    def start_phase(
        self, session_id: str, phase: str, now: datetime, detail: dict[str, Any] | None = None
    ) -> None:
        """A (re-)run of a phase replaces its previous row: status shows the latest attempt."""
        with self._sessions() as db, db.begin():
            db.merge(
                ProcessingPhaseRow(
                    session_id=session_id,
                    phase=phase,
                    status=PhaseStatus.RUNNING.value,
                    started_at=now,
                    finished_at=None,
                    rows_in=None,
                    rows_out=None,
                    rows_rejected=None,
                    detail=detail,
                )
            )

    def claim_stalled_status(
        self, session_id: str, status: str, updated_before: datetime, now: datetime
    ) -> bool:
        """Take over a session whose ``processing_status`` has been ``status``
        since before ``updated_before`` (the process working on it died).

        One UPDATE that also restarts the clock: of two callers racing, one wins,
        and the session is not stalled again until the winner stalls in turn.
        """
        with self.engine.begin() as connection:
            result = connection.execute(
                sa.update(ImportSessionRow)
                .where(
                    ImportSessionRow.id == session_id,
                    ImportSessionRow.processing_status == status,
                    ImportSessionRow.updated_at <= updated_before,
                )
                .values(updated_at=now, version=ImportSessionRow.version + 1)
            )
        return result.rowcount == 1

    def sessions_with_status(self, status: str, updated_before: datetime) -> list[ImportSessionRow]:
        """Sessions whose ``processing_status`` has been ``status`` since before ``updated_before``,
        oldest first."""
        with self._sessions() as db:
            return list(
                db.scalars(
                    sa.select(ImportSessionRow)
                    .where(
                        ImportSessionRow.processing_status == status,
                        ImportSessionRow.updated_at <= updated_before,
                    )
                    .order_by(ImportSessionRow.updated_at, ImportSessionRow.id)
                ).all()
            )

    def finish_phase(
        self, session_id: str, phase: str, now: datetime, status: str, **fields: Any
    ) -> None:
        with self._sessions() as db, db.begin():
            row = db.get(ProcessingPhaseRow, (session_id, phase), with_for_update=True)
            if row is None:
                raise SessionNotFoundError(
                    f"Phase {phase} of import {session_id} was never started"
                )
            row.status = status
            row.finished_at = now
            for name, value in fields.items():
                setattr(row, name, value)

    def phase_detail(self, session_id: str, phase: str) -> Mapping[str, Any]:
        with self._sessions() as db:
            row = db.get(ProcessingPhaseRow, (session_id, phase))
        return (row.detail or {}) if row is not None else {}
