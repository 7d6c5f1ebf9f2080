"""Processing a submitted import, phase by phase: the plain Python the Dagster assets call.

``submit`` left a cleaned dataset (``row_index`` + typed template columns) and a
``submission`` ({action, duplicate_handling, ignore_errors, ...}). Each phase here
reads the previous phase's table from the session's folder, writes its own
(``processing.<phase>.arrow``, a fixed name so a re-run of one phase finds its
input), records its progress and row counts in ``processing_phases`` and, when it
drops rows, a table of why (``processing.<phase>.rejected.parquet``). Cleanup
gathers those into the error file and settles the session's ``processing_status``.

Parse, map and prevalidate already ran in the session (create, validate, patch):
for a session that came through the API they report what it computed instead of
redoing it.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import sqlalchemy as sa

from imports_pipeline.destination import (
    DuplicateHandling,
    WriteAction,
    dedupe,
    destination_tables,
    rollback_import,
    row_keys,
    write_destination,
)
from imports_pipeline.destination.tables import ORGANIZATION_ID, ROW_KEY
from imports_pipeline.errors import DomainError, StepOutOfOrderError
from imports_pipeline.sessions import Actor, ImportService
from imports_pipeline.store.processing import PHASE_ORDER, ProcessingStore
from imports_pipeline.store.tables import ImportSessionRow
from imports_pipeline.templates.model import Template
from imports_pipeline.views import RollbackResult

Phase = str
logger = logging.getLogger(__name__)
REJECTED_COLUMNS = ["row_index", "phase", "column", "code", "message", "value"]
ERRORS_FILE = "processing_errors.csv"
KEY_LOOKUP_BATCH = 1000
"""Keys per ``IN (...)`` when looking up existing destination rows: well under every driver's parameter limit."""


class ProcessingStatus(StrEnum):
    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    PARTIALLY_COMPLETED = "partially_completed"
    """Some rows reached the destination, some were left out (errors, duplicates, unknown keys)."""
    FAILED = "failed"
    ROLLING_BACK = "rolling_back"
    ROLLED_BACK = "rolled_back"


ROLLBACK_FROM = (ProcessingStatus.COMPLETED, ProcessingStatus.PARTIALLY_COMPLETED)
"""Only a settled import is rolled back: while a run still writes, its history is not complete."""
ROLLBACK = "rollback"
"""The phase row a rollback records (after the processing phases, outside ``PHASE_ORDER``)."""
ROLLBACK_STALLED_AFTER = timedelta(minutes=15)
"""An import still ``rolling_back`` this long after its status last changed lost its process (a million-row
rollback takes seconds)."""
HAND_OFF_COMPRESSION = "lz4"


def hand_off_name(phase: Phase) -> str:
    """The fixed name of the table ``phase`` hands to the next one, in the session's folder.

    Arrow IPC (Feather v2, LZ4), not Parquet: a hand-off lives only until the
    session's files expire and is read once or twice, so write and read speed
    matter more than size. On a million rows it writes in ~0.1 s and
    memory-maps on read, where Parquet took ~0.45 s and ~0.15 s, at each of
    four hand-offs.
    """
    return f"processing.{phase}.arrow"


def legacy_hand_off_name(phase: Phase) -> str:
    """The Parquet name hand-offs had before: sessions processed by an earlier version still have them."""
    return f"processing.{phase}.parquet"


@dataclass(frozen=True)
class PhaseOutcome:
    """What one phase did, for the phase row, the asset's metadata and the tests."""

    phase: Phase
    rows_in: int
    rows_out: int
    rows_rejected: int
    detail: dict[str, Any]
    rejected: pd.DataFrame = field(repr=False)
    """One row per reason a row was left out: ``REJECTED_COLUMNS``."""
    seconds: float = 0.0

    @property
    def rejected_by_column(self) -> dict[str, int]:
        """Rows left out per template column (a row counts once per column)."""
        if self.rejected.empty:
            return {}
        counts = self.rejected.groupby("column")["row_index"].nunique()
        return {str(column): int(count) for column, count in counts.items()}


@dataclass(frozen=True)
class _Step:
    """What a phase function returns; the runner adds timing and records it."""

    rows_in: int
    rows_out: int
    detail: dict[str, Any]
    rejected: pd.DataFrame


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copyfile(source, target)


def _now() -> datetime:
    """Naive UTC with microseconds: phase durations are often well under a second."""
    return datetime.now(UTC).replace(tzinfo=None)


def rejections(row_index: Any, phase: Phase, column: Any, code: str, message: Any, value: Any = None) -> pd.DataFrame:
    """A rejected-rows table; scalars are repeated for every row."""
    index = np.asarray(row_index, dtype=np.int64)
    frame = pd.DataFrame({"row_index": index})
    for name, data in (("phase", phase), ("column", column), ("code", code), ("message", message), ("value", value)):
        frame[name] = data if not isinstance(data, (pd.Series, np.ndarray, list)) else np.asarray(data, dtype=object)
    return frame[REJECTED_COLUMNS].astype({"phase": "str", "column": "str", "code": "str", "message": "str", "value": "object"})


def no_rejections(phase: Phase) -> pd.DataFrame:
    return rejections([], phase, "", "", "")


class ImportProcessing:
    """The phases after submit for one session; each is safe to re-run on its own."""

    def __init__(self, service: ImportService, destination: sa.Engine, import_id: str) -> None:
        self.service = service
        self.destination = destination
        self.import_id = import_id
        self.store = ProcessingStore(service.repository.engine)

    # --- what the phases share -------------------------------------------------

    @property
    def session(self) -> ImportSessionRow:
        return self.store.session(self.import_id)

    @property
    def template(self) -> Template:
        return self.service.catalog.get(self.session.template_id)

    @property
    def submission(self) -> dict[str, Any]:
        submission = self.session.submission
        if submission is None:
            raise ValueError(f"Import {self.import_id} has not been submitted: there is nothing to process")
        return submission

    @property
    def action(self) -> WriteAction:
        return WriteAction(self.submission.get("action") or WriteAction.MERGE)

    @property
    def duplicate_handling(self) -> DuplicateHandling:
        return DuplicateHandling(self.submission.get("duplicate_handling") or DuplicateHandling.IGNORE_ALL)

    def output_name(self, phase: Phase) -> str:
        return hand_off_name(phase)

    def read_output(self, phase: Phase, columns: list[str] | None = None) -> pd.DataFrame:
        folder = self.service.files.session_dir(self.import_id)
        path = folder / self.output_name(phase)
        if not path.exists() and (folder / legacy_hand_off_name(phase)).exists():
            return pq.read_table(folder / legacy_hand_off_name(phase), columns=columns).to_pandas()
        return feather.read_table(path, columns=columns, memory_map=True).to_pandas()

    def _replace_output(self, phase: Phase, write: Callable[[Path], None]) -> Path:
        """``write`` a temporary file, then rename it to ``phase``'s hand-off: a reader sees the old or the new table whole."""
        target = self.service.files.session_dir(self.import_id) / self.output_name(phase)
        temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
        write(temporary)
        os.replace(temporary, target)
        return target

    def _write_output(self, phase: Phase, frame: pd.DataFrame) -> None:
        self._replace_output(
            phase, lambda path: feather.write_feather(frame.reset_index(drop=True), path, compression=HAND_OFF_COMPRESSION)
        )

    def _output_columns(self, phase: Phase) -> list[str] | None:
        """The column names of ``phase``'s Arrow hand-off, read from its footer; None if it has none (yet, or legacy)."""
        path = self.service.files.session_dir(self.import_id) / self.output_name(phase)
        if not path.exists():
            return None
        with pa.memory_map(str(path)) as source:
            return pa.ipc.open_file(source).schema.names

    def _pass_on(self, source_phase: Phase, phase: Phase) -> int:
        """``phase``'s output is ``source_phase``'s, unchanged: hard-linked, not rewritten; returns its row count.

        Safe because hand-offs are never changed in place, only replaced by a rename.
        """
        source = self.service.files.session_dir(self.import_id) / self.output_name(source_phase)
        target = self._replace_output(phase, lambda path: _link_or_copy(source, path))
        return feather.read_table(target, columns=["row_index"], memory_map=True).num_rows

    def _write(self, name: str, frame: pd.DataFrame) -> None:
        """Fixed names, written to a temporary file and renamed: a reader sees the old or the new table whole."""
        sink = io.BytesIO()
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink, compression="zstd")
        self.service.files.save_bytes(self.import_id, name, sink.getvalue())

    def submitted_rows(self) -> pd.DataFrame:
        row = self.session
        stored = self.service.repository.get_file(row.submitted_file_id or "", row.organization_id)
        if stored is None:
            raise ValueError(f"Import {self.import_id} has no submitted dataset")
        return pq.read_table(self.service.files.path_of(stored.relative_path)).to_pandas()

    def session_errors(self) -> pd.DataFrame:
        """Every row error of the last validation (``row_index``, ``column``, ``code``, ``message``, ``value``)."""
        artifacts = self.session.artifacts or {}
        if "errors" not in artifacts:
            return pd.DataFrame({"row_index": pd.Series(dtype="int64")})
        return self.service.files.read_table(self.import_id, artifacts["errors"]).to_pandas()

    def _set_status(self, status: ProcessingStatus, **fields: Any) -> None:
        self.store.update_session(self.import_id, self.service.clock(), processing_status=status.value, **fields)

    def _run(self, phase: Phase, step: Callable[[], _Step]) -> PhaseOutcome:
        """Record the phase as running, run it, record its counts; a failure marks the phase and the import failed."""
        started = time.perf_counter()
        self.store.start_phase(self.import_id, phase, _now())
        try:
            result = step()
            detail = dict(result.detail)
            if not result.rejected.empty:
                name = f"processing.{phase}.rejected.parquet"
                self._write(name, result.rejected)
                detail["rejected_file"] = name
        except Exception as error:
            self.store.finish_phase(self.import_id, phase, _now(), "failed", detail={"error": f"{type(error).__name__}: {error}"})
            self._set_status(ProcessingStatus.FAILED)
            raise
        rejected = int(result.rejected["row_index"].nunique())
        self.store.finish_phase(
            self.import_id, phase, _now(), "completed",
            rows_in=result.rows_in, rows_out=result.rows_out, rows_rejected=rejected, detail=detail,
        )
        return PhaseOutcome(phase, result.rows_in, result.rows_out, rejected, detail, result.rejected, time.perf_counter() - started)

    # --- the phases ---------------------------------------------------------------

    def parse(self, processing_job_id: str | None = None) -> PhaseOutcome:
        """Start of the run: mark the import as processing (with the run that does it) and report how the file was read."""
        self._set_status(ProcessingStatus.PROCESSING, processing_job_id=processing_job_id)

        def step() -> _Step:
            row = self.session
            info = row.parse_info or {}
            detail = {
                "file_name": row.file_name,
                "encoding": info.get("encoding"),
                "delimiter": info.get("delimiter"),
                "sheet": row.selected_sheet,
                "header_row": row.detected_header_row,
                "source_columns": list(row.source_columns or []),
            }
            return _Step(row.total_rows, row.total_rows, detail, no_rejections("parse"))

        return self._run("parse", step)

    def map(self) -> PhaseOutcome:
        def step() -> _Step:
            row = self.session
            detail = {"mapping": dict(row.mapping or {}), "value_mapping": dict(row.value_mapping or {})}
            return _Step(row.total_rows, row.total_rows, detail, no_rejections("map"))

        return self._run("map", step)

    def prevalidate(self) -> PhaseOutcome:
        """The validation the session ran; rows still failing were left out at submit (``ignore_errors``)."""

        def step() -> _Step:
            row = self.session
            submitted = self.submitted_rows()["row_index"].to_numpy()
            errors = self.session_errors()
            left_out = errors[~errors["row_index"].isin(submitted)]
            rejected = rejections(
                left_out["row_index"], "prevalidate", left_out.get("column", ""), left_out.get("code", ""),
                left_out.get("message", ""), left_out.get("value"),
            )
            detail = {"ignore_errors": bool(self.submission.get("ignore_errors")), "errors_by_column": row.errors_by_column or {}}
            return _Step(row.total_rows, len(submitted), detail, rejected)

        return self._run("prevalidate", step)

    def dedupe(self) -> PhaseOutcome:
        """Resolve rows sharing a key with the submission's ``duplicate_handling`` (default ``ignore_all``)."""

        def step() -> _Step:
            template, policy = self.template, self.duplicate_handling
            frame = self.submitted_rows()
            keys = row_keys(frame, template)
            kept, dropped = dedupe(frame, keys, policy)
            kept_keys = keys.loc[kept.index]
            if policy is DuplicateHandling.IGNORE_ALL:
                ambiguous = kept_keys.isin(self._keys_repeated_before_submit(template))
                dropped = np.concatenate([dropped, kept.loc[ambiguous, "row_index"].to_numpy()])
                kept, kept_keys = kept[~ambiguous], kept_keys[~ambiguous]
            dropped_keys = keys[frame["row_index"].isin(dropped)]
            rejected = rejections(
                frame.loc[dropped_keys.index, "row_index"], "dedupe", ",".join(template.key_columns) or ROW_KEY,
                "duplicate_key",
                f"another row of the file has the same key; duplicate_handling={policy.value} leaves this one out",
                dropped_keys.to_numpy(),
            )
            output = kept.copy(deep=False)
            output.insert(1, ROW_KEY, kept_keys.to_numpy())  # where transform wants it: usually nothing left to reshape
            self._write_output("dedupe", output)
            detail = {"duplicate_handling": policy.value, "key_columns": list(template.key_columns)}
            return _Step(len(frame), len(output), detail, rejected)

        return self._run("dedupe", step)

    def _keys_repeated_before_submit(self, template: Template) -> set[str]:
        """Keys whose later copies failed validation (``duplicate_key``) and were left out at submit.

        With ``ignore_all`` the first copy is ambiguous too, so it must not be imported
        even though it is now alone in the submitted dataset.
        """
        errors = self.session_errors()
        if "code" not in errors.columns:
            return set()
        repeated = np.unique(errors.loc[errors["code"].eq("duplicate_key"), "row_index"].to_numpy(dtype=np.int64))
        if len(repeated) == 0:
            return set()
        typed = self.service._typed_rows(self.session, repeated)  # noqa: SLF001 - the session's own typed rows, overlay applied
        return set(row_keys(typed, template).tolist())

    def transform(self) -> PhaseOutcome:
        """The rows in the destination's shape: ``row_index``, ``row_key``, then the template's columns in order.

        Defaults, option values and normalisation already happened at validation,
        so what is left is the shape: a template column the file did not map is
        added as nulls, anything else is dropped.
        """

        def step() -> _Step:
            columns = ["row_index", ROW_KEY, *self.template.column_keys]
            if self._output_columns("dedupe") == columns:
                rows = self._pass_on("dedupe", "transform")
                return _Step(rows, rows, {"columns_added": [], "columns_dropped": []}, no_rejections("transform"))
            frame = self.read_output("dedupe")
            shaped = frame.reindex(columns=columns)
            self._write_output("transform", shaped)
            added = [c for c in columns if c not in frame.columns]
            dropped = [c for c in frame.columns if c not in columns]
            return _Step(len(frame), len(shaped), {"columns_added": added, "columns_dropped": dropped}, no_rejections("transform"))

        return self._run("transform", step)

    def validate(self) -> PhaseOutcome:
        """Rules that need the destination: a ``delete`` of a key the organization does not hold is reported and left out."""

        def step() -> _Step:
            if self.action is not WriteAction.DELETE and self._output_columns("transform") is not None:
                rows = self._pass_on("transform", "validate")
                return _Step(rows, rows, {"action": self.action.value}, no_rejections("validate"))
            frame = self.read_output("transform")
            rows_in = len(frame)
            rejected = no_rejections("validate")
            if self.action is WriteAction.DELETE:
                existing = self.existing_keys(frame[ROW_KEY].tolist())
                unknown = ~frame[ROW_KEY].isin(existing)
                rejected = rejections(
                    frame.loc[unknown, "row_index"], "validate", ",".join(self.template.key_columns) or ROW_KEY,
                    "not_found", "no row with this key exists in the destination, so there is nothing to delete",
                    frame.loc[unknown, ROW_KEY].to_numpy(),
                )
                frame = frame[~unknown]
            self._write_output("validate", frame)
            return _Step(rows_in, len(frame), {"action": self.action.value}, rejected)

        return self._run("validate", step)

    def existing_keys(self, keys: list[str]) -> set[str]:
        """Which of ``keys`` the organization already has in the template's destination table."""
        rows = destination_tables(self.template).rows
        if not keys or not sa.inspect(self.destination).has_table(rows.name):
            return set()
        organization_id = self.session.organization_id
        found: set[str] = set()
        with self.destination.connect() as connection:
            for start in range(0, len(keys), KEY_LOOKUP_BATCH):
                batch = keys[start : start + KEY_LOOKUP_BATCH]
                query = sa.select(rows.c[ROW_KEY]).where(rows.c[ORGANIZATION_ID] == organization_id, rows.c[ROW_KEY].in_(batch))
                found.update(connection.execute(query).scalars())
        return found

    def process(self) -> PhaseOutcome:
        """Write the destination with the submission's ``action`` (default ``merge``); a re-run changes nothing."""

        def step() -> _Step:
            frame = self.read_output("validate")
            row = self.session
            # Dedupe's keys, unless the template's key columns changed since (a re-run after an edit): then recomputed,
            # and the writer refuses the rows if they now repeat a key.
            keyed_by = self.store.phase_detail(self.import_id, "dedupe").get("key_columns")
            keys = frame[ROW_KEY] if keyed_by == list(self.template.key_columns) else None
            outcome = write_destination(
                self.destination, self.template, row.organization_id, self.import_id, frame.drop(columns=[ROW_KEY]), self.action,
                keys=keys,
            )
            self._write_output("process", outcome.per_row)
            detail = {
                "action": self.action.value,
                "created": outcome.created,
                "updated": outcome.updated,
                "unchanged": outcome.unchanged,
                "deleted": outcome.deleted,
                "staged_with": outcome.staged_with,
            }
            return _Step(len(frame), len(frame), detail, no_rejections("process"))

        return self._run("process", step)

    def cleanup(self) -> PhaseOutcome:
        """Write the error file of every row left out, the processing summary, and settle ``processing_status``.

        The phases' Parquet tables stay until the session's files expire, so any
        phase can still be re-run from the Dagster UI.
        """

        def step() -> _Step:
            row = self.session
            rejected = self.all_rejected()
            phases = {p.phase: p for p in self.store.phases(self.import_id) if p.status == "completed"}
            process = phases.get("process")
            if process is None:
                raise ValueError(f"Import {self.import_id} has not been processed: run the process phase first")
            processed = int(process.rows_out or 0)
            failed = int(rejected["row_index"].nunique())
            status = (
                ProcessingStatus.COMPLETED if failed == 0
                else ProcessingStatus.PARTIALLY_COMPLETED if processed > 0
                else ProcessingStatus.FAILED
            )
            errors_file = None
            if not rejected.empty:
                sink = io.StringIO()
                rejected.to_csv(sink, index=False)
                errors_file = self.service.files.save_bytes(self.import_id, ERRORS_FILE, sink.getvalue().encode()).relative_path
            detail = {
                "processing_status": status.value,
                "total_rows": row.total_rows,
                "processed_rows": processed,
                "failed_rows": failed,
                "success_rate": round(100 * processed / row.total_rows, 2) if row.total_rows else 100.0,
                "errors_file": errors_file,
                **{k: (process.detail or {}).get(k) for k in ("action", "created", "updated", "unchanged", "deleted")},
            }
            return _Step(processed + failed, processed, detail, no_rejections("cleanup"))

        outcome = self._run("cleanup", step)
        # Settled only once the cleanup phase is recorded: a client that sees the final
        # status must also see every phase completed.
        self._set_status(ProcessingStatus(outcome.detail["processing_status"]))
        return outcome

    def all_rejected(self) -> pd.DataFrame:
        """Every row left out by any phase so far, by row."""
        parts = []
        for phase in PHASE_ORDER:
            name = self.store.phase_detail(self.import_id, phase).get("rejected_file")
            if name:
                parts.append(self.service.files.read_table(self.import_id, name).to_pandas())
        if not parts:
            return no_rejections("cleanup")
        return pd.concat(parts, ignore_index=True).sort_values(["row_index", "phase"], kind="stable", ignore_index=True)

    # --- after processing -----------------------------------------------------------

    def rollback(self) -> RollbackResult:
        """Put the destination back as it was before this import: ``rolling_back``, then ``rolled_back``.

        Refused (409) unless processing settled as completed or partially completed, and once
        rolled back: a second rollback answers "already rolled back" rather than pretending to
        undo something again. When later imports changed the same rows the destination refuses
        (``RollbackConflictError`` with ``later_imports``); the import keeps its previous status and
        the ``rollback`` phase row says why it failed. An import left in ``rolling_back`` by a
        process that died is taken over once the attempt is ``ROLLBACK_STALLED_AFTER`` old.
        """
        previous = self.session.processing_status
        resumed = previous == ProcessingStatus.ROLLING_BACK
        if previous == ProcessingStatus.ROLLED_BACK:
            raise StepOutOfOrderError(f"Import {self.import_id} is already rolled back")
        if resumed:
            previous = self._take_over_stalled_rollback()
        elif previous not in ROLLBACK_FROM:
            raise StepOutOfOrderError(
                f"Cannot roll back import {self.import_id} while its processing is {previous or 'not started'} "
                f"(needs: {', '.join(ROLLBACK_FROM)})"
            )
        elif not self.store.compare_and_set_status(self.import_id, self.service.clock(), previous, ProcessingStatus.ROLLING_BACK):
            raise StepOutOfOrderError(f"Import {self.import_id} changed while asked to roll back (another rollback?): try again")
        try:
            self.store.start_phase(self.import_id, ROLLBACK, _now(), detail={"previous_status": previous})
            outcome = rollback_import(self.destination, self.template, self.session.organization_id, self.import_id)
        except Exception as error:
            self._set_status(ProcessingStatus(previous))
            context = error.context if isinstance(error, DomainError) else {}
            self.store.finish_phase(self.import_id, ROLLBACK, _now(), "failed", detail={"error": f"{type(error).__name__}: {error}", **context})
            raise
        changed = outcome.removed + outcome.restored
        detail = {"rows_removed": outcome.removed, "rows_restored": outcome.restored, "previous_status": previous}
        if resumed:
            detail["resumed_after_stall"] = True  # counts are what this attempt changed: 0 if the lost one had committed
        self.store.finish_phase(
            self.import_id, ROLLBACK, _now(), "completed", rows_in=changed, rows_out=changed, rows_rejected=0, detail=detail
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
        if not self.store.claim_stalled_status(self.import_id, ProcessingStatus.ROLLING_BACK, now - ROLLBACK_STALLED_AFTER, now):
            minutes = int(ROLLBACK_STALLED_AFTER.total_seconds() // 60)
            raise StepOutOfOrderError(
                f"Import {self.import_id} is being rolled back right now; a rollback that stops making progress "
                f"is resumed after {minutes} minutes"
            )
        # Recorded when the lost attempt started; if it died before that, what cleanup settled.
        previous = self.store.phase_detail(self.import_id, ROLLBACK).get("previous_status")
        settled = self.store.phase_detail(self.import_id, "cleanup").get("processing_status")
        return str(previous or settled or ProcessingStatus.COMPLETED.value)

    # --- guards the orchestration checks between phases ---------------------------

    def rows_with_errors(self, phase: Phase) -> int:
        """Rows of ``phase``'s output that still have a validation error: must be 0 before ``process``."""
        errors = self.session_errors()
        return int(self.read_output(phase, ["row_index"])["row_index"].isin(errors["row_index"]).sum())

    def repeated_keys(self, phase: Phase) -> int:
        """Rows of ``phase``'s output whose key repeats another row's: must be 0 after ``dedupe``."""
        return int(self.read_output(phase, [ROW_KEY])[ROW_KEY].duplicated().sum())


def resume_stalled_rollbacks(service: ImportService, destination: sa.Engine) -> list[RollbackResult]:
    """Finish every rollback whose process died (stuck in ``rolling_back``); the hourly sweep calls this."""
    cutoff = service.clock() - ROLLBACK_STALLED_AFTER
    resumed = []
    for row in ProcessingStore(service.repository.engine).sessions_with_status(ProcessingStatus.ROLLING_BACK.value, cutoff):
        try:
            resumed.append(ImportProcessing(service, destination, row.id).rollback())
        except DomainError:
            continue  # still alive, taken over by another caller, or refused (its phase row says why)
        except Exception:
            # One import's failure (database hiccup, template removed) must not keep the others stuck.
            logger.exception("resuming the rollback of import %s failed; the next sweep retries it", row.id)
    return resumed


def rollback_for(actor: Actor, service: ImportService, destination: sa.Engine, import_id: str) -> RollbackResult:
    """The API's rollback: for the caller's organization only (another's import is not found, as everywhere)."""
    service.repository.get(import_id, actor.organization_id)
    return ImportProcessing(service, destination, import_id).rollback()
