"""Recording a phase run: its row goes ``running``, then ``completed`` with its counts or ``failed``
with the error, which also fails the import."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from imports_pipeline.errors import DomainError
from imports_pipeline.processing.hand_offs import HandOffs
from imports_pipeline.processing.outcomes import PhaseOutcome, PhaseStep
from imports_pipeline.sessions import ImportService
from imports_pipeline.vocabulary import Phase, PhaseStatus, ProcessingStatus, utc_now


@dataclass(frozen=True)
class RunAttempt:
    """Which run works on the import, and which of its attempts this is (Dagster retries a failed
    run ``of - 1`` times)."""

    run_id: str
    number: int = 1
    of: int = 1
    root_run_id: str | None = None
    """The first run of the chain of retries and re-executions this run belongs to."""

    @property
    def retries_left(self) -> bool:
        return self.number < self.of


NEXT_STEP = (
    "fix the cause, then re-execute the run from failure in the Dagster UI (the destination ends"
    " exact)"
)


def plain_failure(phase: Phase, error: BaseException) -> str:
    """What failed, in one sentence a person can act on; the technical error stays in the phase
    row's detail."""
    if isinstance(error, DomainError):
        cause = error.message
    elif isinstance(error, sa.exc.OperationalError):
        cause = "the database refused the connection or stopped answering"
    elif isinstance(error, sa.exc.IntegrityError):
        cause = "the destination refused the rows (a key already written by another writer)"
    elif isinstance(error, FileNotFoundError):
        cause = "a table the previous phase hands over is missing (run the phases in order)"
    else:
        first_line = (str(error).splitlines() or [""])[0][:200]
        cause = f"{type(error).__name__}: {first_line}" if first_line else type(error).__name__
    return f"the {phase.value} phase failed: {cause}"


class PhaseRecorder:
    """One import's phase rows and processing status."""

    def __init__(
        self, service: ImportService, hand_offs: HandOffs, attempt: RunAttempt | None = None
    ) -> None:
        self.service = service
        self.hand_offs = hand_offs
        self.import_id = hand_offs.import_id
        self.store = service.stores.processing
        self.attempt = attempt

    def set_status(self, status: ProcessingStatus, **fields: object) -> None:
        self.store.update_session(
            self.import_id, self.service.clock(), processing_status=status.value, **fields
        )

    def run(self, phase: Phase, step: Callable[[], PhaseStep]) -> PhaseOutcome:
        """Record the phase as running (and the run working on the import), run it, record its
        counts. A failure marks the phase failed, and the import failed only when no retry is
        left; a run that will be retried stays ``processing`` and says so in ``status_detail``."""
        started = time.perf_counter()
        self.store.start_phase(self.import_id, phase.value, utc_now(microseconds=True))
        if self.attempt is not None:
            self.store.update_session(
                self.import_id, self.service.clock(), dagster_run_id=self.attempt.run_id
            )
        try:
            result = step()
            detail = dict(result.detail)
            if not result.rejected.empty:
                detail["rejected_file"] = self.hand_offs.write_rejected(phase, result.rejected)
        except Exception as error:
            failure: dict[str, object] = {"error": f"{type(error).__name__}: {error}"}
            if self.attempt is not None:
                failure["run_id"] = self.attempt.run_id
            self.store.finish_phase(
                self.import_id,
                phase.value,
                utc_now(microseconds=True),
                PhaseStatus.FAILED.value,
                detail=failure,
            )
            self.report_failure(phase, error)
            raise
        rejected = int(result.rejected["row_index"].nunique())
        self.store.finish_phase(
            self.import_id,
            phase.value,
            utc_now(microseconds=True),
            PhaseStatus.COMPLETED.value,
            rows_in=result.rows_in,
            rows_out=result.rows_out,
            rows_rejected=rejected,
            detail=detail,
        )
        seconds = time.perf_counter() - started
        return PhaseOutcome(
            phase, result.rows_in, result.rows_out, rejected, detail, result.rejected, seconds
        )

    def report_failure(self, phase: Phase, error: BaseException) -> None:
        plain = plain_failure(phase, error)
        attempt = self.attempt
        if attempt is not None and attempt.retries_left:
            detail = f"attempt {attempt.number} of {attempt.of} failed, Dagster retries it: {plain}"
            self.set_status(ProcessingStatus.PROCESSING, status_detail=detail)
            return
        self.set_status(
            ProcessingStatus.FAILED,
            processing_finished_at=self.service.clock(),
            status_detail=f"{plain}; {NEXT_STEP}",
        )

    def settle_dead_run(self, cause: str, same_chain: Callable[[str], bool]) -> bool:
        """A run that failed outside any phase (its process was killed, it could not start) left
        the import ``queued`` or ``processing``: say so, and fail it when no retry is left.

        Only when the run the import names is this one or of its chain of retries
        (``same_chain``), never a newer chain's work; and not when a phase of this run failed
        and already said why. True when it was settled.
        """
        session = self.store.session(self.import_id)
        attempt = self.attempt
        named = session.dagster_run_id
        current = named is None or (attempt is not None and same_chain(named))
        failed_inside = attempt is not None and any(
            p.status == PhaseStatus.FAILED and (p.detail or {}).get("run_id") == attempt.run_id
            for p in self.store.phases(self.import_id)
        )
        if failed_inside:
            return False  # a phase failed and already said why
        unsettled = (ProcessingStatus.QUEUED, ProcessingStatus.PROCESSING)
        if session.processing_status not in unsettled or not current:
            return False
        plain = f"the run stopped outside a phase: {cause}"
        if attempt is not None and attempt.retries_left:
            detail = f"attempt {attempt.number} of {attempt.of} failed, Dagster retries it: {plain}"
            self.set_status(ProcessingStatus.PROCESSING, status_detail=detail)
        else:
            self.set_status(
                ProcessingStatus.FAILED,
                processing_finished_at=self.service.clock(),
                status_detail=f"{plain}; {NEXT_STEP}",
            )
        return True
