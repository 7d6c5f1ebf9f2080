"""Submit: write the cleaned dataset and hand it to processing (``queued`` until a run picks it
up)."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from imports_pipeline.errors import StepTakenOverError, SubmissionBlockedError
from imports_pipeline.sessions.base import REVIEWABLE_STATES, SessionUseCases
from imports_pipeline.sessions.recovery import SUBMIT
from imports_pipeline.store.leases import new_lease
from imports_pipeline.store.tables import StoredFileRow
from imports_pipeline.views import SubmitResult
from imports_pipeline.vocabulary import (
    Actor,
    DuplicateHandling,
    FileKind,
    ProcessingStatus,
    SessionStatus,
    Submission,
    WriteAction,
)

SUBMITTED_FILE = "submitted.parquet"
"""The cleaned dataset: Parquet, since it is also a download and the input of every re-run."""


class SubmittingRows(SessionUseCases):
    def submit(
        self,
        actor: Actor,
        import_id: str,
        ignore_errors: bool = False,
        partner: str | None = None,
        action: WriteAction | str = WriteAction.MERGE,
        duplicate_handling: DuplicateHandling | str = DuplicateHandling.IGNORE_ALL,
    ) -> SubmitResult:
        """Write the cleaned dataset to the file store and hand it to processing.

        The processing job id is assigned here, so the answer can name it before any run has
        started; the Dagster run that processes the import carries it as a tag.
        """
        row = self.load(actor, import_id, REVIEWABLE_STATES, "submit")
        if row.error_rows and not ignore_errors:
            raise SubmissionBlockedError(
                f"Import {import_id} still has {row.error_rows} rows with errors:"
                " correct them or submit with ignore_errors=true",
                error_rows=row.error_rows,
            )
        with self.tables.lock(import_id):
            row = self.load(actor, import_id, REVIEWABLE_STATES, "submit")
            lease = new_lease(SUBMIT, row.status, self.clock())
            self.repository.update(
                import_id, self.clock(), status=SessionStatus.SUBMITTING.value, lease=lease
            )
            processing_job_id = str(uuid.uuid4())
            try:
                errors = self.tables.errors(row)
                all_rows = np.arange(row.total_rows, dtype=np.int64)
                keep = (
                    all_rows[~np.isin(all_rows, errors["row_index"].to_numpy())]
                    if ignore_errors
                    else all_rows
                )
                table = self.tables.submitted_table(row, keep)
                saved = self.files.save_bytes(import_id, SUBMITTED_FILE, parquet_bytes(table))
                file_row = StoredFileRow(
                    id=str(uuid.uuid4()),
                    organization_id=actor.organization_id,
                    session_id=import_id,
                    kind=FileKind.SUBMITTED.value,
                    file_name=f"{Path(row.file_name).stem}.cleaned.parquet",
                    relative_path=saved.relative_path,
                    size_bytes=saved.size_bytes,
                    sha256=saved.sha256,
                    content_type="application/vnd.apache.parquet",
                    created_at=self.clock(),
                )
                self.repository.add(file_row)
                submission = Submission(
                    ignore_errors=ignore_errors,
                    partner=partner,
                    rows_submitted=len(keep),
                    submitted_by=actor.acting_id,
                    submitted_at=self.clock().isoformat(),
                    action=WriteAction(action),
                    duplicate_handling=DuplicateHandling(duplicate_handling),
                )
                self.finish_step(
                    import_id,
                    lease,
                    status=SessionStatus.SUBMITTED.value,
                    submitted_file_id=file_row.id,
                    submission=submission.stored(),
                    processing_status=ProcessingStatus.QUEUED.value,
                    processing_job_id=processing_job_id,
                    updated_by=actor.acting_id,
                )
            except StepTakenOverError:
                raise
            except Exception:
                self.abandon_step(import_id, lease, status=row.status)
                raise
        return SubmitResult(
            status=ProcessingStatus.PROCESSING,
            file_id=file_row.id,
            processing_job_id=processing_job_id,
            rows_submitted=len(keep),
        )


def parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())
