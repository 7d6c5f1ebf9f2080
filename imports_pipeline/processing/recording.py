"""Recording a phase run: its row goes ``running``, then ``completed`` with its counts or ``failed``
with the error, which also fails the import."""

from __future__ import annotations

import time
from collections.abc import Callable

from imports_pipeline.processing.hand_offs import HandOffs
from imports_pipeline.processing.outcomes import PhaseOutcome, PhaseStep
from imports_pipeline.sessions import ImportService
from imports_pipeline.vocabulary import Phase, PhaseStatus, ProcessingStatus, utc_now


class PhaseRecorder:
    """One import's phase rows and processing status."""

    def __init__(self, service: ImportService, hand_offs: HandOffs) -> None:
        self.service = service
        self.hand_offs = hand_offs
        self.import_id = hand_offs.import_id
        self.store = service.stores.processing

    def set_status(self, status: ProcessingStatus, **fields: object) -> None:
        self.store.update_session(
            self.import_id, self.service.clock(), processing_status=status.value, **fields
        )

    def run(self, phase: Phase, step: Callable[[], PhaseStep]) -> PhaseOutcome:
        """Record the phase as running, run it, record its counts; a failure marks the phase and the
        import failed."""
        started = time.perf_counter()
        self.store.start_phase(self.import_id, phase.value, utc_now(microseconds=True))
        try:
            result = step()
            detail = dict(result.detail)
            if not result.rejected.empty:
                detail["rejected_file"] = self.hand_offs.write_rejected(phase, result.rejected)
        except Exception as error:
            failure = {"error": f"{type(error).__name__}: {error}"}
            self.store.finish_phase(
                self.import_id,
                phase.value,
                utc_now(microseconds=True),
                PhaseStatus.FAILED.value,
                detail=failure,
            )
            self.set_status(ProcessingStatus.FAILED, processing_finished_at=self.service.clock())
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
