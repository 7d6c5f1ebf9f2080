"""Rolling a processed import back, and resuming rollbacks whose process died.

The destination side (which rows to delete or restore, and refusing when later
imports changed the same rows) is ``destination.rollback_import``; this module
is the session side: who may roll back, the status moves, and the phase row.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa

from imports_pipeline.destination import rollback_import
from imports_pipeline.errors import DomainError, StepOutOfOrderError
from imports_pipeline.sessions import ImportService
from imports_pipeline.views import RollbackResult
from imports_pipeline.vocabulary import Actor, Phase, PhaseStatus, ProcessingStatus, utc_now

logger = logging.getLogger(__name__)
ROLLBACK = Phase.ROLLBACK.value
"""The phase row a rollback records (after the processing phases, outside ``PHASE_ORDER``)."""
ROLLBACK_FROM = (ProcessingStatus.COMPLETED, ProcessingStatus.PARTIALLY_COMPLETED)
"""Only a settled import is rolled back: while a run still writes, its history is not complete."""
ROLLBACK_STALLED_AFTER = timedelta(minutes=15)
"""An import still ``rolling_back`` this long after its status last changed lost its process (a
million-row rollback takes seconds)."""


class ImportRollback:
    """One import's rollback."""

    def __init__(self, service: ImportService, destination: sa.Engine, import_id: str) -> None:
        self.service = service
        self.destination = destination
        self.import_id = import_id
        self.store = service.stores.processing

    def _set_status(self, status: ProcessingStatus) -> None:
        self.store.update_session(
            self.import_id, self.service.clock(), processing_status=status.value
        )

    def run(self) -> RollbackResult:
        """Put the destination back as it was before this import: ``rolling_back``, then
        ``rolled_back``.

        Refused (409) unless processing settled as completed or partially completed, and once
        rolled back: a second rollback answers "already rolled back" rather than pretending to
        undo something again. When later imports changed the same rows the destination refuses
        (``RollbackConflictError`` with ``later_imports``); the import keeps its previous status and
        the ``rollback`` phase row says why it failed. An import left in ``rolling_back`` by a
        process that died is taken over once the attempt is ``ROLLBACK_STALLED_AFTER`` old.
        """
        session = self.store.session(self.import_id)
        previous = session.processing_status
        resumed = previous == ProcessingStatus.ROLLING_BACK
        if previous == ProcessingStatus.ROLLED_BACK:
            raise StepOutOfOrderError(f"Import {self.import_id} is already rolled back")
        if resumed:
            previous = self._take_over_stalled_rollback()
        elif previous not in ROLLBACK_FROM:
            raise StepOutOfOrderError(
                f"Cannot roll back import {self.import_id}"
                f" while its processing is {previous or 'not started'} "
                f"(needs: {', '.join(ROLLBACK_FROM)})"
            )
        elif not self.store.compare_and_set_status(
            self.import_id, self.service.clock(), previous, ProcessingStatus.ROLLING_BACK
        ):
            raise StepOutOfOrderError(
                f"Import {self.import_id} changed while asked to roll back (another rollback?):"
                " try again"
            )
        try:
            self.store.start_phase(
                self.import_id,
                ROLLBACK,
                utc_now(microseconds=True),
                detail={"previous_status": previous},
            )
            outcome = rollback_import(
                self.destination,
                self.service.catalog.get(session.template_id),
                session.organization_id,
                self.import_id,
                work_mem=self.service.settings.write_work_mem,
            )
        except Exception as error:
            self._set_status(ProcessingStatus(previous))
            context = error.context if isinstance(error, DomainError) else {}
            failure = {"error": f"{type(error).__name__}: {error}", **context}
            self.store.finish_phase(
                self.import_id,
                ROLLBACK,
                utc_now(microseconds=True),
                PhaseStatus.FAILED.value,
                detail=failure,
            )
            raise
        changed = outcome.removed + outcome.restored
        detail = {
            "rows_removed": outcome.removed,
            "rows_restored": outcome.restored,
            "previous_status": previous,
        }
        if resumed:
            detail["resumed_after_stall"] = (
                True  # counts are what this attempt changed: 0 if the lost one had committed
            )
        self.store.finish_phase(
            self.import_id,
            ROLLBACK,
            utc_now(microseconds=True),
            PhaseStatus.COMPLETED.value,
            rows_in=changed,
            rows_out=changed,
            rows_rejected=0,
            detail=detail,
        )
        self._set_status(ProcessingStatus.ROLLED_BACK)
        return RollbackResult(
            import_id=self.import_id,
            processing_status=ProcessingStatus.ROLLED_BACK.value,
            rows_removed=outcome.removed,
            rows_restored=outcome.restored,
        )

    def _take_over_stalled_rollback(self) -> str:
        """Resume a rollback whose process died; returns the status the import had before it.

        Safe because a rollback is one destination transaction: either it
        committed (rolling back again finds nothing of this import left and does
        nothing) or it left no trace. A rollback younger than
        ``ROLLBACK_STALLED_AFTER`` is presumed alive and left alone.
        """
        now = self.service.clock()
        if not self.store.claim_stalled_status(
            self.import_id, ProcessingStatus.ROLLING_BACK, now - ROLLBACK_STALLED_AFTER, now
        ):
            minutes = int(ROLLBACK_STALLED_AFTER.total_seconds() // 60)
            raise StepOutOfOrderError(
                f"Import {self.import_id} is being rolled back right now;"
                " a rollback that stops making progress "
                f"is resumed after {minutes} minutes"
            )
        # Recorded when the lost attempt started; if it died before that, what cleanup settled.
        previous = self.store.phase_detail(self.import_id, ROLLBACK).get("previous_status")
        settled = self.store.phase_detail(self.import_id, Phase.CLEANUP.value).get(
            "processing_status"
        )
        return str(previous or settled or ProcessingStatus.COMPLETED.value)


def resume_stalled_rollbacks(
    service: ImportService, destination: sa.Engine
) -> list[RollbackResult]:
    """Finish every rollback whose process died (stuck in ``rolling_back``); the hourly sweep calls
    this."""
    cutoff = service.clock() - ROLLBACK_STALLED_AFTER
    resumed = []
    stalled = service.stores.processing.sessions_with_status(
        ProcessingStatus.ROLLING_BACK.value, cutoff
    )
    for row in stalled:
        try:
            resumed.append(ImportRollback(service, destination, row.id).run())
        except DomainError:
            # Still alive, taken over by another caller, or refused (its phase row says why).
            continue
        except Exception:
            # One import's failure (database hiccup, template removed) must not keep the others
            # stuck.
            logger.exception(
                "resuming the rollback of import %s failed; the next sweep retries it", row.id
            )
    return resumed


def rollback_for(
    actor: Actor, service: ImportService, destination: sa.Engine, import_id: str
) -> RollbackResult:
    """The API's rollback: for the caller's organization only (another's import is not found, as
    everywhere)."""
    service.repository.get(import_id, actor.organization_id)
    return ImportRollback(service, destination, import_id).run()
