"""Processing a submitted import, phase by phase: the plain Python the Dagster assets call.

``submit`` left a cleaned dataset (``row_index`` + typed template columns) and a
``Submission``. Each phase reads the previous phase's hand-off table, writes its
own (``hand_offs``), records its progress and row counts in ``processing_phases``
and, when it drops rows, a table of why. Cleanup gathers those into the error
file and settles the session's ``processing_status``.

Parse, map and prevalidate already ran in the session (create, validate, patch):
for a session that came through the API they report what it computed instead of
redoing it.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
import sqlalchemy as sa

from imports_pipeline.destination import dedupe, row_keys, write_destination
from imports_pipeline.destination.tables import ROW_KEY
from imports_pipeline.processing.context import ImportContext
from imports_pipeline.processing.hand_offs import HandOffs
from imports_pipeline.processing.inputs import PhaseInputs
from imports_pipeline.processing.outcomes import PhaseOutcome, PhaseStep, no_rejections, rejections
from imports_pipeline.processing.recording import PhaseRecorder, RunAttempt
from imports_pipeline.processing.rollback import ImportRollback
from imports_pipeline.sessions import ImportService
from imports_pipeline.views import RollbackResult
from imports_pipeline.vocabulary import (
    DuplicateHandling,
    Phase,
    PhaseStatus,
    ProcessingStatus,
    WriteAction,
    success_rate,
)

ERRORS_FILE = "processing_errors.csv"


class ImportProcessing:
    """The phases after submit for one session; each is safe to re-run on its own."""

    def __init__(
        self,
        service: ImportService,
        destination: sa.Engine,
        import_id: str,
        attempt: RunAttempt | None = None,
    ) -> None:
        self.service = service
        self.destination = destination
        self.import_id = import_id
        self.store = service.stores.processing
        self.hand_offs = HandOffs(service.files, import_id)
        self.inputs = PhaseInputs(service, destination, self.hand_offs)
        self.recorder = PhaseRecorder(service, self.hand_offs, attempt)
        self.attempt = attempt

    def context(self) -> ImportContext:
        """The session, its template and its submission, read once per phase."""
        return ImportContext.load(self.store, self.service.catalog, self.import_id)

    def _run(self, phase: Phase, step: Callable[[ImportContext], PhaseStep]) -> PhaseOutcome:
        return self.recorder.run(phase, lambda: step(self.context()))

    # --- the phases ---------------------------------------------------------------

    def parse(self, dagster_run_id: str | None = None) -> PhaseOutcome:
        """Start of a run: the import is processing, by this run, from now; report how the file
        was read."""
        run_id = dagster_run_id or (self.attempt.run_id if self.attempt else None)
        self.recorder.set_status(
            ProcessingStatus.PROCESSING,
            dagster_run_id=run_id,
            processing_started_at=self.service.clock(),
            processing_finished_at=None,
        )

        def step(context: ImportContext) -> PhaseStep:
            row = context.session
            info = row.parse_info or {}
            detail = {
                "file_name": row.file_name,
                "encoding": info.get("encoding"),
                "delimiter": info.get("delimiter"),
                "sheet": row.selected_sheet,
                "header_row": row.detected_header_row,
                "source_columns": list(row.source_columns or []),
            }
            return PhaseStep(row.total_rows, row.total_rows, detail, no_rejections(Phase.PARSE))

        return self._run(Phase.PARSE, step)

    def map(self) -> PhaseOutcome:
        def step(context: ImportContext) -> PhaseStep:
            row = context.session
            detail = {
                "mapping": dict(row.mapping or {}),
                "value_mapping": dict(row.value_mapping or {}),
            }
            return PhaseStep(row.total_rows, row.total_rows, detail, no_rejections(Phase.MAP))

        return self._run(Phase.MAP, step)

    def prevalidate(self) -> PhaseOutcome:
        """The validation the session ran; rows still failing were left out at submit
        (``ignore_errors``)."""

        def step(context: ImportContext) -> PhaseStep:
            row = context.session
            submitted = self.inputs.submitted_rows(context)["row_index"].to_numpy()
            errors = self.inputs.session_errors(context)
            left_out = errors[~errors["row_index"].isin(submitted)]
            rejected = rejections(
                left_out["row_index"],
                Phase.PREVALIDATE,
                left_out.get("column", ""),
                left_out.get("code", ""),
                left_out.get("message", ""),
                left_out.get("value"),
            )
            detail = {
                "ignore_errors": context.submission.ignore_errors,
                "errors_by_column": row.errors_by_column or {},
            }
            return PhaseStep(row.total_rows, len(submitted), detail, rejected)

        return self._run(Phase.PREVALIDATE, step)

    def dedupe(self) -> PhaseOutcome:
        """Resolve rows sharing a key with the submission's ``duplicate_handling`` (default
        ``ignore_all``)."""

        def step(context: ImportContext) -> PhaseStep:
            template, policy = context.template, context.duplicate_handling
            frame = self.inputs.submitted_rows(context)
            keys = row_keys(frame, template)
            kept, dropped = dedupe(frame, keys, policy)
            kept_keys = keys.loc[kept.index]
            if policy is DuplicateHandling.IGNORE_ALL:
                ambiguous = kept_keys.isin(self.inputs.keys_repeated_before_submit(context))
                dropped = np.concatenate([dropped, kept.loc[ambiguous, "row_index"].to_numpy()])
                kept, kept_keys = kept[~ambiguous], kept_keys[~ambiguous]
            dropped_keys = keys[frame["row_index"].isin(dropped)]
            rejected = rejections(
                frame.loc[dropped_keys.index, "row_index"],
                Phase.DEDUPE,
                ",".join(template.key_columns) or ROW_KEY,
                "duplicate_key",
                f"another row of the file has the same key; duplicate_handling={policy.value}"
                " leaves this one out",
                dropped_keys.to_numpy(),
            )
            output = kept.copy(deep=False)
            output.insert(
                1, ROW_KEY, kept_keys.to_numpy()
            )  # where transform wants it: usually nothing to reshape
            self.hand_offs.write(Phase.DEDUPE, output)
            detail = {"duplicate_handling": policy.value, "key_columns": list(template.key_columns)}
            return PhaseStep(len(frame), len(output), detail, rejected)

        return self._run(Phase.DEDUPE, step)

    def transform(self) -> PhaseOutcome:
        """The rows in the destination's shape: ``row_index``, ``row_key``, then the template's
        columns in order.

        Defaults, option values and normalisation already happened at validation,
        so what is left is the shape: a template column the file did not map is
        added as nulls, anything else is dropped.
        """

        def step(context: ImportContext) -> PhaseStep:
            columns = ["row_index", ROW_KEY, *context.template.column_keys]
            if self.hand_offs.columns(Phase.DEDUPE) == columns:
                rows = self.hand_offs.pass_on(Phase.DEDUPE, Phase.TRANSFORM)
                unchanged: dict[str, Any] = {"columns_added": [], "columns_dropped": []}
                return PhaseStep(rows, rows, unchanged, no_rejections(Phase.TRANSFORM))
            frame = self.hand_offs.read(Phase.DEDUPE)
            shaped = frame.reindex(columns=columns)
            self.hand_offs.write(Phase.TRANSFORM, shaped)
            added = [c for c in columns if c not in frame.columns]
            dropped = [c for c in frame.columns if c not in columns]
            detail = {"columns_added": added, "columns_dropped": dropped}
            return PhaseStep(len(frame), len(shaped), detail, no_rejections(Phase.TRANSFORM))

        return self._run(Phase.TRANSFORM, step)

    def validate(self) -> PhaseOutcome:
        """Rules that need the destination: a ``delete`` of a key the organization does not hold is
        left out."""

        def step(context: ImportContext) -> PhaseStep:
            action = context.action
            if (
                action is not WriteAction.DELETE
                and self.hand_offs.columns(Phase.TRANSFORM) is not None
            ):
                rows = self.hand_offs.pass_on(Phase.TRANSFORM, Phase.VALIDATE)
                return PhaseStep(
                    rows, rows, {"action": action.value}, no_rejections(Phase.VALIDATE)
                )
            frame = self.hand_offs.read(Phase.TRANSFORM)
            rows_in = len(frame)
            rejected = no_rejections(Phase.VALIDATE)
            if action is WriteAction.DELETE:
                existing = self.inputs.existing_keys(context, frame[ROW_KEY].tolist())
                unknown = ~frame[ROW_KEY].isin(existing)
                rejected = rejections(
                    frame.loc[unknown, "row_index"],
                    Phase.VALIDATE,
                    ",".join(context.template.key_columns) or ROW_KEY,
                    "not_found",
                    "no row with this key exists in the destination, so there is nothing to delete",
                    frame.loc[unknown, ROW_KEY].to_numpy(),
                )
                frame = frame[~unknown]
            self.hand_offs.write(Phase.VALIDATE, frame)
            return PhaseStep(rows_in, len(frame), {"action": action.value}, rejected)

        return self._run(Phase.VALIDATE, step)

    def process(self) -> PhaseOutcome:
        """Write the destination with the submission's ``action`` (default ``merge``); a re-run
        changes nothing."""

        def step(context: ImportContext) -> PhaseStep:
            frame = self.hand_offs.read(Phase.VALIDATE)
            # Dedupe's keys, unless the template's key columns changed since (a re-run after an
            # edit): then recomputed, and the writer refuses the rows if they now repeat a key.
            keyed_by = self.store.phase_detail(self.import_id, Phase.DEDUPE.value).get(
                "key_columns"
            )
            keys = frame[ROW_KEY] if keyed_by == list(context.template.key_columns) else None
            outcome = write_destination(
                self.destination,
                context.template,
                context.session.organization_id,
                self.import_id,
                frame.drop(columns=[ROW_KEY]),
                context.action,
                keys=keys,
                work_mem=self.service.settings.write_work_mem,
            )
            self.hand_offs.write(Phase.PROCESS, outcome.per_row)
            detail = {
                "action": context.action.value,
                "created": outcome.created,
                "updated": outcome.updated,
                "unchanged": outcome.unchanged,
                "deleted": outcome.deleted,
                "staged_with": outcome.staged_with,
            }
            return PhaseStep(len(frame), len(frame), detail, no_rejections(Phase.PROCESS))

        return self._run(Phase.PROCESS, step)

    def cleanup(self) -> PhaseOutcome:
        """Write the error file of every row left out, the processing summary, and settle
        ``processing_status``.

        The hand-off tables stay until the sweep's retention, so any phase can
        still be re-run from the Dagster UI.
        """

        def step(context: ImportContext) -> PhaseStep:
            total_rows = context.session.total_rows
            rejected = self.inputs.all_rejected()
            phases = {
                p.phase: p
                for p in self.store.phases(self.import_id)
                if p.status == PhaseStatus.COMPLETED
            }
            process = phases.get(Phase.PROCESS.value)
            if process is None:
                raise ValueError(
                    f"Import {self.import_id} has not been processed: run the process phase first"
                )
            processed = int(process.rows_out or 0)
            failed = int(rejected["row_index"].nunique())
            status = (
                ProcessingStatus.COMPLETED
                if failed == 0
                else ProcessingStatus.PARTIALLY_COMPLETED
                if processed > 0
                else ProcessingStatus.FAILED
            )
            errors_file = None
            if not rejected.empty:
                sink = io.StringIO()
                rejected.to_csv(sink, index=False)
                saved = self.service.files.save_bytes(
                    self.import_id, ERRORS_FILE, sink.getvalue().encode()
                )
                errors_file = saved.relative_path
            written = {
                k: (process.detail or {}).get(k)
                for k in ("action", "created", "updated", "unchanged", "deleted")
            }
            detail = {
                "processing_status": status.value,
                "total_rows": total_rows,
                "processed_rows": processed,
                "failed_rows": failed,
                "success_rate": success_rate(processed, total_rows),
                "errors_file": errors_file,
                **written,
            }
            return PhaseStep(processed + failed, processed, detail, no_rejections(Phase.CLEANUP))

        outcome = self._run(Phase.CLEANUP, step)
        # Settled only once the cleanup phase is recorded: a client that sees the final
        # status must also see every phase completed.
        settled = ProcessingStatus(outcome.detail["processing_status"])
        self.recorder.set_status(
            settled, processing_finished_at=self.service.clock(), status_detail=None
        )
        return outcome

    # --- after processing, and the guards the orchestration checks between phases ---

    def rollback(self) -> RollbackResult:
        """Put the destination back as it was before this import (see
        ``rollback.ImportRollback``)."""
        return ImportRollback(self.service, self.destination, self.import_id).run()

    def rows_with_errors(self, phase: Phase) -> int:
        """Rows of ``phase``'s output that still have a validation error: must be 0 before
        ``process``."""
        errors = self.inputs.session_errors(self.context())
        return int(
            self.hand_offs.read(phase, ["row_index"])["row_index"].isin(errors["row_index"]).sum()
        )

    def repeated_keys(self, phase: Phase) -> int:
        """Rows of ``phase``'s output whose key repeats another row's: must be 0 after
        ``dedupe``."""
        return int(self.hand_offs.read(phase, [ROW_KEY])[ROW_KEY].duplicated().sum())
