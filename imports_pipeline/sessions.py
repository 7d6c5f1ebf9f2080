"""The import use cases: create, suggest mapping, unique values, validate, rows, patch, submit, status, list.

Plain Python over ``engine`` (pure table functions), ``store`` (SQL metadata and
the file store) and ``templates``. The HTTP API and Dagster both call these;
neither holds logic of its own about what an import is.

Where things live for one session (names in ``artifacts``, files in the file store):
- ``parsed``: the upload as a table of strings, written once at create;
- ``rows``: typed template columns from the last full validation;
- ``overlay``: typed rows re-computed after corrections (``row_index`` + columns);
- ``errors``: every current row error, sorted by row.
The original upload is never changed; corrections are an overlay in SQL and in ``overlay``.
"""

from __future__ import annotations

import base64
import json
import math
import mimetypes
import uuid
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from filelock import FileLock

from imports_pipeline.engine.coercion import SUPPORTED_LOCALES, infer_numeric_locale
from imports_pipeline.engine.mapping import suggest_mapping
from imports_pipeline.engine.reports import REPORT_FORMATS, error_report
from imports_pipeline.engine.reading import SUPPORTED_EXTENSIONS, read_table
from imports_pipeline.engine.validation import (
    ValidationRules,
    check_rows,
    coerce_rows,
    duplicate_key_errors,
    empty_errors,
    rule_errors,
    sort_errors,
)
from imports_pipeline.engine.values import unique_values as engine_unique_values
from imports_pipeline.errors import (
    DomainError,
    InvalidCorrectionError,
    InvalidFileNameError,
    InvalidCursorError,
    InvalidMappingError,
    SessionExpiredError,
    SessionNotFoundError,
    StepOutOfOrderError,
    SubmissionBlockedError,
    UnsupportedFileTypeError,
    UnsupportedLocaleError,
)
from imports_pipeline.store.database import create_database_engine, data_dir, upgrade_schema
from imports_pipeline.store.files import FileStore
from imports_pipeline.store.processing import ProcessingStore
from imports_pipeline.store.repository import SessionRepository
from imports_pipeline.store.tables import CorrectionRow, ImportSessionRow, StoredFileRow
from imports_pipeline.templates.catalog import TemplateCatalog, default_catalog
from imports_pipeline.templates.model import ColumnType, Template
from imports_pipeline.views import (
    CreatedSession,
    DownloadableFile,
    ImportSession,
    ImportStatus,
    MappingCandidate,
    MappingColumnSuggestion,
    MappingSuggestionResult,
    PatchResult,
    ProcessingCounters,
    ProcessingPhase,
    RowError,
    RowsPage,
    RowView,
    SessionPage,
    SessionSort,
    SessionStatus,
    SubmitResult,
    TimeRange,
    UniqueValue,
    UniqueValuesResult,
    ValidationResult,
)

DEFAULT_TTL = timedelta(hours=24)
SAMPLE_ROWS = 5
PROFILE_ROWS = 200
"""Rows the mapping suggester looks at to recognise dates, numbers and options."""

MAPPABLE_STATES = {SessionStatus.PARSED, SessionStatus.MAPPED, SessionStatus.VALIDATED}
REVIEWABLE_STATES = {SessionStatus.VALIDATED}


@dataclass(frozen=True)
class Actor:
    """Who is calling: the organization is the tenant boundary of every use case."""

    organization_id: str
    user_id: str | None = None
    actor_type: str = "user"
    api_key_id: str | None = None


@dataclass(frozen=True)
class Correction:
    row_index: int
    column: str
    value: Any


def utc_now() -> datetime:
    """Naive UTC, as stored and as the contract's examples show timestamps."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class ImportService:
    def __init__(
        self,
        engine: sa.Engine,
        files: FileStore,
        catalog: TemplateCatalog,
        ttl: timedelta = DEFAULT_TTL,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.repository = SessionRepository(engine)
        self.files = files
        self.catalog = catalog
        self.ttl = ttl
        self.clock = clock
        self._rules: dict[str, ValidationRules] = {}

    @classmethod
    def from_environment(cls, database_url: str | None = None, root: Path | None = None) -> "ImportService":
        """The embedded defaults: SQLite and files under ``IMPORTS_DATA_DIR`` (``./data``)."""
        engine = create_database_engine(database_url)
        upgrade_schema(engine)
        return cls(engine, FileStore(root or data_dir() / "files"), default_catalog())

    # --- helpers -----------------------------------------------------------

    def _rules_for(self, template: Template) -> ValidationRules:
        if template.id not in self._rules:
            options = {c.key: self.catalog.options_for(c) for c in template.columns if c.type is ColumnType.CATEGORY}
            self._rules[template.id] = ValidationRules(template, options)
        return self._rules[template.id]

    def _load(self, actor: Actor, import_id: str, allowed: set[SessionStatus] | None = None, step: str = "") -> ImportSessionRow:
        row = self.repository.get(import_id, actor.organization_id)
        status = SessionStatus(row.status)
        if allowed is not None and status not in allowed:
            if status in {SessionStatus.SUBMITTING, SessionStatus.SUBMITTED}:
                raise StepOutOfOrderError(f"Import {import_id} is already {status.value}: it cannot {step} any more")
            if self._is_expired(row):
                raise SessionExpiredError(f"Import {import_id} expired at {row.expires_at.isoformat()}")
            expected = ", ".join(sorted(s.value for s in allowed))
            raise StepOutOfOrderError(f"Cannot {step} import {import_id} while it is {status.value} (needs: {expected})")
        if allowed is not None and self._is_expired(row):
            raise SessionExpiredError(f"Import {import_id} expired at {row.expires_at.isoformat()}")
        return row

    def _is_expired(self, row: ImportSessionRow) -> bool:
        return row.status not in (SessionStatus.SUBMITTED, SessionStatus.SUBMITTING) and row.expires_at <= self.clock()

    def _require_validated(self, row: ImportSessionRow) -> None:
        """Rows and error reports read the last validation's tables; an expired session's were removed."""
        if row.status == SessionStatus.EXPIRED:
            raise SessionExpiredError(
                f"Import {row.id} expired at {row.expires_at.isoformat()}: its rows were removed (the upload is kept)"
            )
        if "errors" not in row.artifacts:
            raise StepOutOfOrderError(f"Import {row.id} has not been validated yet: call validate first")

    def _lock(self, import_id: str) -> FileLock:
        """One writer per session across processes (API workers, Dagster runs)."""
        return FileLock(str(self.files.session_dir(import_id) / ".lock"), timeout=120)

    def _view(self, row: ImportSessionRow) -> ImportSession:
        """The contract's session object; ``expired`` is computed, never stored."""
        fields = {name: getattr(row, name) for name in ImportSession.model_fields}
        fields["status"] = SessionStatus.EXPIRED if self._is_expired(row) else SessionStatus(row.status)
        return ImportSession.model_validate(fields)

    # --- create --------------------------------------------------------------

    def create_session(
        self,
        actor: Actor,
        template_id: str,
        file_name: str,
        upload: BinaryIO,
        numeric_locale: str | None = None,
        selected_sheet: str | None = None,
        project_id: str | None = None,
        folder_id: str | None = None,
    ) -> CreatedSession:
        """Store the upload, parse it and persist the table of strings.

        The session row is written (status ``created``) as soon as the upload is
        safely stored, so a file that then fails to parse is still on record as
        ``failed`` with the reason, and its bytes are kept.
        """
        template = self.catalog.get(template_id)
        file_name = upload_file_name(file_name)
        extension = Path(file_name).suffix.lower()
        if extension not in SUPPORTED_EXTENSIONS:
            raise UnsupportedFileTypeError(
                f"File type '{extension or file_name}' is not supported; use one of {', '.join(sorted(SUPPORTED_EXTENSIONS))}"
            )
        if numeric_locale is not None and numeric_locale not in SUPPORTED_LOCALES:
            raise UnsupportedLocaleError(
                f"numeric_locale '{numeric_locale}' is not supported; use one of {', '.join(SUPPORTED_LOCALES)}"
            )
        import_id = str(uuid.uuid4())
        now = self.clock()
        saved = self.files.save_stream(import_id, f"upload{extension}", upload)
        raw_file = StoredFileRow(
            id=str(uuid.uuid4()),
            organization_id=actor.organization_id,
            session_id=import_id,
            kind="upload",
            file_name=file_name,
            relative_path=saved.relative_path,
            size_bytes=saved.size_bytes,
            sha256=saved.sha256,
            content_type=None,
            created_at=now,
        )
        session = ImportSessionRow(
            id=import_id,
            organization_id=actor.organization_id,
            user_id=actor.user_id,
            template_id=template.id,
            file_name=file_name,
            file_type=extension.lstrip("."),
            status=SessionStatus.CREATED.value,
            status_detail=None,
            numeric_locale=numeric_locale,
            actor_type=actor.actor_type,
            actor_api_key_id=actor.api_key_id,
            total_rows=0,
            valid_rows=0,
            error_rows=0,
            source_columns=[],
            mapping=None,
            value_mapping=None,
            errors_by_column=None,
            submitted_file_id=None,
            processing_job_id=None,
            raw_file_id=raw_file.id,
            project_id=project_id,
            folder_id=folder_id,
            selected_sheet=selected_sheet,
            sheets=[],
            detected_header_row=0,
            parse_info={"sha256": saved.sha256, "size_bytes": saved.size_bytes},
            artifacts={},
            submission=None,
            processing_status=None,
            version=1,
            expires_at=now + self.ttl,
            created_at=now,
            updated_at=now,
        )
        self.repository.add(raw_file, session)
        try:
            parsed = read_table(self.files.path_of(saved.relative_path), file_name, selected_sheet)
        except DomainError as error:
            self.repository.update(import_id, self.clock(), status=SessionStatus.FAILED.value, status_detail=str(error))
            error.context["import_id"] = import_id
            raise
        parsed_name = self.files.write_table(import_id, "parsed", parsed.table)
        sample = parsed.sample_rows(PROFILE_ROWS)
        inferred = {} if numeric_locale else _infer_locales(parsed.source_columns, sample, parsed.native_columns)
        self.repository.update(
            import_id,
            self.clock(),
            status=SessionStatus.PARSED.value,
            file_type=parsed.file_type,
            total_rows=parsed.total_rows,
            source_columns=list(parsed.source_columns),
            sheets=list(parsed.sheets),
            selected_sheet=parsed.selected_sheet,
            detected_header_row=parsed.detected_header_row,
            parse_info={
                **session.parse_info,
                "encoding": parsed.encoding,
                "delimiter": parsed.delimiter,
                "native_columns": sorted(parsed.native_columns),
                "inferred_numeric_locales": inferred,
            },
            artifacts={"parsed": parsed_name},
        )
        return CreatedSession(
            import_id=import_id,
            file_name=file_name,
            total_rows=parsed.total_rows,
            numeric_locale=numeric_locale,
            sheets=list(parsed.sheets),
            selected_sheet=parsed.selected_sheet,
            detected_header_row=parsed.detected_header_row,
            source_columns=list(parsed.source_columns),
            sample_rows=sample[:SAMPLE_ROWS],
            inferred_numeric_locales=inferred,
        )

    # --- mapping -------------------------------------------------------------

    def _sample_frame(self, row: ImportSessionRow) -> pd.DataFrame:
        table = self.files.read_rows(row.id, row.artifacts["parsed"], np.arange(min(PROFILE_ROWS, row.total_rows)))
        return table.to_pandas()

    def suggest_mapping(self, actor: Actor, import_id: str) -> MappingSuggestionResult:
        row = self._load(actor, import_id, MAPPABLE_STATES, "suggest a mapping for")
        template = self.catalog.get(row.template_id)
        rules = self._rules_for(template)
        remembered = self.repository.remembered_mapping(actor.organization_id, template.id, row.source_columns)
        suggestion = suggest_mapping(
            template, list(row.source_columns), self._sample_frame(row), rules.options_by_column, remembered
        )
        return MappingSuggestionResult(
            import_id=import_id,
            mapping=suggestion.mapping,
            suggestions=[
                MappingColumnSuggestion(
                    template_column=c.template_column,
                    source_column=c.source_column,
                    score=round(c.score, 4),
                    reason=c.reason,
                    candidates=[MappingCandidate(source_column=k.source_column, score=round(k.score, 4)) for k in c.candidates],
                )
                for c in suggestion.columns
            ],
            unmapped_required=suggestion.unmapped_required,
        )

    def _check_mapping(self, row: ImportSessionRow, template: Template, mapping: Mapping[str, str]) -> dict[str, str]:
        unknown_targets = sorted(set(mapping) - set(template.column_keys))
        if unknown_targets:
            raise InvalidMappingError(
                f"mapping names template columns that do not exist in '{template.id}': {', '.join(unknown_targets)}",
                fields=unknown_targets,
            )
        unknown_sources = sorted({s for s in mapping.values() if s not in row.source_columns})
        if unknown_sources:
            raise InvalidMappingError(
                f"mapping names source columns that are not in the file: {', '.join(unknown_sources)} "
                f"(the file has: {', '.join(row.source_columns)})",
                fields=unknown_sources,
            )
        return {target: source for target, source in mapping.items() if source}

    def unique_values(
        self, actor: Actor, import_id: str, mapping: Mapping[str, str], limit: int | None = None
    ) -> UniqueValuesResult:
        """Distinct raw values of each mapped category column, with option suggestions."""
        row = self._load(actor, import_id, MAPPABLE_STATES, "list unique values of")
        template = self.catalog.get(row.template_id)
        mapping = self._check_mapping(row, template, mapping or row.mapping or {})
        if not mapping:
            raise StepOutOfOrderError(f"Import {import_id} has no mapping yet: send one or call mapping/suggest first")
        rules = self._rules_for(template)
        categories = {k: s for k, s in mapping.items() if template.column(k).type is ColumnType.CATEGORY}
        table = self.files.read_table(row.id, row.artifacts["parsed"], columns=sorted(set(categories.values())))
        value_mapping = row.value_mapping or {}
        columns = {
            key: [
                UniqueValue(
                    raw_value=v.raw_value, count=v.count, is_valid=v.is_valid, suggested_option=v.option, score=round(v.score, 4)
                )
                for v in engine_unique_values(
                    table.column(source).to_pandas(), rules.options_by_column[key], value_mapping.get(key), limit
                )
            ]
            for key, source in categories.items()
        }
        if row.status == SessionStatus.PARSED:
            self.repository.update(import_id, self.clock(), status=SessionStatus.MAPPED.value, mapping=mapping)
        return UniqueValuesResult(import_id=import_id, columns=columns)

    # --- validate ------------------------------------------------------------

    def validate(
        self,
        actor: Actor,
        import_id: str,
        mapping: Mapping[str, str] | None,
        value_mapping: Mapping[str, Mapping[str, str]] | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> ValidationResult:
        """Full validation pass with the chosen mapping; existing corrections are re-applied on top."""
        row = self._load(actor, import_id, MAPPABLE_STATES, "validate")
        template = self.catalog.get(row.template_id)
        mapping = self._check_mapping(row, template, mapping or row.mapping or {})
        if not mapping:
            raise StepOutOfOrderError(f"Import {import_id} has no mapping yet: send a mapping (see mapping/suggest)")
        missing = [c.key for c in template.columns if c.required and c.default is None and c.key not in mapping]
        if missing:
            raise InvalidMappingError(
                f"required template columns are not mapped: {', '.join(missing)}", fields=missing
            )
        value_mapping = _check_value_mapping(template, value_mapping)
        rules = self._rules_for(template)
        with self._lock(import_id):
            previous = dict(row.artifacts)
            self.repository.update(import_id, self.clock(), status=SessionStatus.VALIDATING.value)
            try:
                raw = self._raw_frame(row, mapping)
                native = _native_template_columns(row, mapping)
                coerced = coerce_rows(raw, rules, row.numeric_locale, value_mapping, native)
                with ThreadPoolExecutor(max_workers=1) as writer:
                    # Writing the typed rows releases the GIL: overlap it with the checks.
                    rows_name = writer.submit(self.files.write_table, import_id, "rows", _to_arrow(coerced.typed))
                    errors = check_rows(coerced, raw, rules)
                    artifacts = {"parsed": previous["parsed"], "rows": rows_name.result()}
                detected = coerced.detected
                corrections = self.repository.corrections(import_id)
                if corrections:
                    context = _PatchContext(row, mapping, value_mapping, native, detected)
                    overlay, errors = self._apply_corrections(context, rules, artifacts, errors, corrections)
                    artifacts["overlay"] = self.files.write_table(import_id, "overlay", _to_arrow(overlay, with_index=True))
                artifacts["errors"] = self.files.write_table(import_id, "errors", pa.Table.from_pandas(errors, preserve_index=False))
                counts = _counts(errors, row.total_rows)
                self.repository.update(
                    import_id,
                    self.clock(),
                    status=SessionStatus.VALIDATED.value,
                    status_detail=None,
                    mapping=mapping,
                    value_mapping=value_mapping,
                    artifacts=artifacts,
                    parse_info={**row.parse_info, "detected": detected},
                    **counts,
                )
            except Exception:
                self.repository.update(import_id, self.clock(), status=row.status, artifacts=previous)
                raise
        _remove_replaced(self.files, import_id, previous, artifacts)
        self.repository.remember_mapping(actor.organization_id, template.id, mapping, self.clock())
        rows_page = self.rows(actor, import_id, page, page_size, errors_only=False)
        return ValidationResult(
            import_id=import_id,
            status=SessionStatus.VALIDATED,
            total_rows=row.total_rows,
            detected=detected,
            page=rows_page.page,
            page_size=rows_page.page_size,
            pages=rows_page.pages,
            rows=rows_page.rows,
            **counts,
        )

    def _raw_frame(self, row: ImportSessionRow, mapping: Mapping[str, str], row_indices: np.ndarray | None = None) -> pd.DataFrame:
        """Raw strings of the mapped source columns, renamed to template keys, index = row_index."""
        sources = sorted(set(mapping.values()))
        if row_indices is None:
            table = self.files.read_table(row.id, row.artifacts["parsed"], columns=sources)
            index = pd.RangeIndex(table.num_rows)
        else:
            table = self.files.read_rows(row.id, row.artifacts["parsed"], row_indices, columns=sources)
            index = pd.Index(row_indices, dtype="int64")
        by_source = {name: table.column(name).to_pandas() for name in sources}
        frame = pd.DataFrame({key: by_source[source] for key, source in mapping.items()})
        frame.index = index
        return frame

    # --- rows ----------------------------------------------------------------

    def rows(self, actor: Actor, import_id: str, page: int = 1, page_size: int = 50, errors_only: bool = False) -> RowsPage:
        row = self._load(actor, import_id)
        self._require_validated(row)
        errors = self.files.read_frame(import_id, row.artifacts["errors"])
        if errors_only:
            candidates = np.unique(errors["row_index"].to_numpy(dtype=np.int64))
            total = len(candidates)
            start, stop = _page_bounds(page, page_size, total)
            selected = candidates[start:stop]
        else:
            total = row.total_rows
            selected = np.arange(*_page_bounds(page, page_size, total), dtype=np.int64)
        return RowsPage(
            import_id=import_id,
            page=page,
            page_size=page_size,
            total=total,
            pages=math.ceil(total / page_size) if total else 0,
            errors_only=errors_only,
            rows=self._row_views(row, selected, errors),
        )

    def _typed_rows(self, row: ImportSessionRow, selected: np.ndarray, artifacts: Mapping[str, str] | None = None) -> pd.DataFrame:
        """Typed rows with the corrections overlay applied, index = row_index."""
        artifacts = artifacts or row.artifacts
        overlay = (
            self.files.read_frame(row.id, artifacts["overlay"], index_column="row_index") if "overlay" in artifacts else None
        )
        if overlay is not None and len(selected) and pd.Index(selected).isin(overlay.index).all():
            return overlay.loc[selected]
        typed = self.files.read_rows(row.id, artifacts["rows"], selected).to_pandas()
        typed.index = pd.Index(selected, dtype="int64")
        if overlay is not None and len(selected):
            hit = overlay.index.intersection(typed.index)
            if len(hit):
                typed.loc[hit, overlay.columns] = overlay.loc[hit]
        return typed

    def _row_views(self, row: ImportSessionRow, selected: np.ndarray, errors: pd.DataFrame, artifacts: Mapping[str, str] | None = None) -> list[RowView]:
        typed = self._typed_rows(row, selected, artifacts)
        page_errors = errors[errors["row_index"].isin(selected)]
        by_row: dict[int, list[RowError]] = {}
        for item in page_errors.itertuples(index=False):
            by_row.setdefault(int(item.row_index), []).append(
                RowError(column=item.column, code=item.code, message=item.message, value=None if pd.isna(item.value) else item.value)
            )
        records = typed.astype(object).where(typed.notna(), None).to_dict(orient="index")
        return [
            RowView(
                row_index=int(index),
                values={key: _json_value(value) for key, value in records[index].items()},
                errors=by_row.get(int(index), []),
                is_valid=int(index) not in by_row,
            )
            for index in selected
        ]

    # --- patch ---------------------------------------------------------------

    def patch_rows(self, actor: Actor, import_id: str, corrections: Sequence[Correction]) -> PatchResult:
        """Revalidate only the corrected rows (and the uniqueness rules they touch)."""
        row = self._load(actor, import_id, REVIEWABLE_STATES, "patch rows of")
        template = self.catalog.get(row.template_id)
        if not corrections:
            raise InvalidCorrectionError("corrections is empty: send at least one {row_index, column, value}")
        for correction in corrections:
            if not 0 <= correction.row_index < row.total_rows:
                raise InvalidCorrectionError(
                    f"row_index {correction.row_index} does not exist: the file has rows 0 to {row.total_rows - 1}",
                    field="row_index",
                )
            if correction.column not in template.column_keys:
                raise InvalidCorrectionError(
                    f"column '{correction.column}' is not a column of template '{template.id}'", field="column"
                )
        rules = self._rules_for(template)
        with self._lock(import_id):
            row = self._load(actor, import_id, REVIEWABLE_STATES, "patch rows of")
            errors = self.files.read_frame(import_id, row.artifacts["errors"])
            now = self.clock()
            new_rows = [
                CorrectionRow(session_id=import_id, row_index=c.row_index, column=c.column, value=c.value, corrected_at=now)
                for c in corrections
            ]
            stored = {(c.row_index, c.column): c for c in self.repository.corrections(import_id)}
            stored.update({(c.row_index, c.column): c for c in new_rows})
            context = _PatchContext(
                row, row.mapping or {}, row.value_mapping or {}, _native_template_columns(row, row.mapping or {}),
                row.parse_info.get("detected", {}),
            )
            touched = sorted({c.row_index for c in corrections})
            overlay, errors = self._apply_corrections(
                context, rules, row.artifacts, errors, [c for c in stored.values() if c.row_index in touched]
            )
            artifacts = dict(row.artifacts)
            artifacts["overlay"] = self.files.write_table(import_id, "overlay", _to_arrow(overlay, with_index=True))
            artifacts["errors"] = self.files.write_table(import_id, "errors", pa.Table.from_pandas(errors, preserve_index=False))
            counts = _counts(errors, row.total_rows)
            self.repository.save_corrections_and_update(import_id, new_rows, self.clock(), artifacts=artifacts, **counts)
        _remove_replaced(self.files, import_id, row.artifacts, artifacts)
        updated = self._row_views(row, np.array(touched, dtype=np.int64), errors, artifacts)
        return PatchResult(
            import_id=import_id,
            updated_rows=updated,
            remaining_errors=len(errors),
            **counts,
        )

    def _apply_corrections(
        self,
        context: "_PatchContext",
        rules: ValidationRules,
        artifacts: Mapping[str, str],
        errors: pd.DataFrame,
        corrections: Sequence[CorrectionRow],
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Re-coerce and re-check the corrected rows; return the new overlay and the new error list."""
        row = context.row
        touched = np.array(sorted({c.row_index for c in corrections}), dtype=np.int64)
        raw = self._raw_frame(row, context.mapping, touched) if context.mapping else pd.DataFrame(index=pd.Index(touched))
        for correction in corrections:
            if correction.column not in raw.columns:
                raw[correction.column] = pd.Series(pd.NA, index=raw.index, dtype="str")
            raw.loc[correction.row_index, correction.column] = _correction_text(correction.value)
        native = list(context.native) + [c.column for c in corrections if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)]
        coerced = coerce_rows(raw, rules, context.row.numeric_locale, context.value_mapping, native, context.detected)
        previous_overlay = (
            self.files.read_frame(row.id, artifacts["overlay"], index_column="row_index")
            if "overlay" in artifacts
            else coerced.typed.iloc[0:0]
        )
        overlay = pd.concat([previous_overlay[~previous_overlay.index.isin(touched)], coerced.typed]).sort_index()
        overlay.index.name = "row_index"
        key_columns = sorted({c for group in rules.uniqueness_groups for c in group})
        keys = (
            _keys_sharing_values(
                self.files.read_frame(row.id, artifacts["rows"], columns=key_columns), previous_overlay, overlay, touched, rules
            )
            if key_columns
            else overlay.iloc[0:0]
        )
        affected = np.union1d(touched, keys.index.to_numpy(dtype=np.int64))
        kept = errors[~errors["row_index"].isin(touched) & ~(errors["code"].eq("duplicate_key") & errors["row_index"].isin(affected))]
        new_errors = [kept, coerced.errors, rule_errors(coerced, raw, rules), duplicate_key_errors(keys, rules)]
        combined = pd.concat([e for e in new_errors if not e.empty] or [empty_errors()], ignore_index=True)
        return overlay, sort_errors(combined, rules.template)

    # --- submit --------------------------------------------------------------

    def submit(
        self,
        actor: Actor,
        import_id: str,
        ignore_errors: bool = False,
        partner: str | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> SubmitResult:
        """Write the cleaned dataset to the file store and record the submission for processing."""
        row = self._load(actor, import_id, REVIEWABLE_STATES, "submit")
        if row.error_rows and not ignore_errors:
            raise SubmissionBlockedError(
                f"Import {import_id} still has {row.error_rows} rows with errors: correct them or submit with ignore_errors=true",
                error_rows=row.error_rows,
            )
        with self._lock(import_id):
            row = self._load(actor, import_id, REVIEWABLE_STATES, "submit")
            self.repository.update(import_id, self.clock(), status=SessionStatus.SUBMITTING.value)
            try:
                errors = self.files.read_frame(import_id, row.artifacts["errors"])
                all_rows = np.arange(row.total_rows, dtype=np.int64)
                keep = all_rows[~np.isin(all_rows, errors["row_index"].to_numpy())] if ignore_errors else all_rows
                typed = self._typed_rows(row, keep)
                table = _to_arrow(typed, with_index=True)
                saved = self.files.save_bytes(import_id, "submitted.parquet", _parquet_bytes(table))
                file_row = StoredFileRow(
                    id=str(uuid.uuid4()),
                    organization_id=actor.organization_id,
                    session_id=import_id,
                    kind="submitted",
                    file_name=f"{Path(row.file_name).stem}.cleaned.parquet",
                    relative_path=saved.relative_path,
                    size_bytes=saved.size_bytes,
                    sha256=saved.sha256,
                    content_type="application/vnd.apache.parquet",
                    created_at=self.clock(),
                )
                self.repository.add(file_row)
                submission = {
                    "ignore_errors": ignore_errors,
                    "partner": partner,
                    "rows_submitted": int(len(keep)),
                    "submitted_by": actor.user_id or actor.api_key_id,
                    "submitted_at": self.clock().isoformat(),
                    **dict(options or {}),
                }
                self.repository.update(
                    import_id,
                    self.clock(),
                    status=SessionStatus.SUBMITTED.value,
                    submitted_file_id=file_row.id,
                    submission=submission,
                    processing_status="queued",
                )
            except Exception:
                self.repository.update(import_id, self.clock(), status=row.status)
                raise
        return SubmitResult(
            status=SessionStatus.SUBMITTED.value, file_id=file_row.id, processing_job_id=None, rows_submitted=int(len(keep))
        )

    # --- read ----------------------------------------------------------------

    def get_session(self, actor: Actor, import_id: str) -> ImportSession:
        return self._view(self._load(actor, import_id))

    def list_sessions(
        self,
        actor: Actor,
        status: SessionStatus | None = None,
        template_id: str | None = None,
        user_id: str | None = None,
        include_expired: bool = False,
        page: int = 1,
        size: int = 10,
        created_at: TimeRange | None = None,
        updated_at: TimeRange | None = None,
        sort: SessionSort = SessionSort.CREATED_AT_DESC,
        cursor: str | None = None,
    ) -> SessionPage:
        """Page/size pagination with a total, or keyset pagination with ``cursor``.

        The keyset (sort column, id) stays correct while sessions are being
        created: a new session never shifts rows between pages already handed out.
        """
        sort = SessionSort(sort)
        now = self.clock()
        conditions: list[sa.ColumnElement[bool]] = []
        unexpired = sa.or_(
            ImportSessionRow.expires_at > now,
            ImportSessionRow.status.in_([SessionStatus.SUBMITTED.value, SessionStatus.SUBMITTING.value]),
        )
        if status is SessionStatus.EXPIRED:
            conditions.append(sa.not_(unexpired))
        elif status is not None:
            conditions.append(ImportSessionRow.status == status.value)
            conditions.append(unexpired)
        elif not include_expired:
            conditions.append(unexpired)
        if template_id:
            conditions.append(ImportSessionRow.template_id == template_id)
        if user_id:
            conditions.append(ImportSessionRow.user_id == user_id)
        conditions += _range_conditions(ImportSessionRow.created_at, created_at)
        conditions += _range_conditions(ImportSessionRow.updated_at, updated_at)
        column = ImportSessionRow.updated_at if "updated_at" in sort.value else ImportSessionRow.created_at
        descending = sort.value.startswith("-")
        offset = _page_bounds(page, size, MAX_SQL_OFFSET)[0]
        keyset: list[sa.ColumnElement[bool]] = []
        if cursor is not None:
            after_value, after_id = _decode_cursor(cursor, sort)
            later = (column < after_value) | ((column == after_value) & (ImportSessionRow.id < after_id))
            earlier = (column > after_value) | ((column == after_value) & (ImportSessionRow.id > after_id))
            keyset.append(later if descending else earlier)
            offset = 0
        order = [column.desc(), ImportSessionRow.id.desc()] if descending else [column.asc(), ImportSessionRow.id.asc()]
        rows, total = self.repository.list(actor.organization_id, conditions, keyset, order, offset, size + 1)
        more = len(rows) > size
        rows = rows[:size]
        last = rows[-1] if rows else None
        next_cursor = _encode_cursor(sort, getattr(last, column.key), last.id) if more and last is not None else None
        return SessionPage(
            items=[self._view(r) for r in rows],
            total=total,
            page=page if cursor is None else 1,
            size=size,
            pages=math.ceil(total / size) if total else 0,
            next_cursor=next_cursor,
        )

    def status(self, actor: Actor, import_id: str) -> ImportStatus:
        """The session, its processing status, each phase run so far and the counters they add up to."""
        row = self._load(actor, import_id)
        submission = row.submission
        phases = [
            ProcessingPhase(
                phase=p.phase,
                status=p.status,
                started_at=p.started_at,
                finished_at=p.finished_at,
                duration_seconds=(p.finished_at - p.started_at).total_seconds() if p.finished_at else None,
                rows_in=p.rows_in,
                rows_out=p.rows_out,
                rows_rejected=p.rows_rejected,
                detail=p.detail,
            )
            for p in ProcessingStore(self.repository.engine).phases(import_id)
        ]
        counters = ProcessingCounters.from_phases(row.total_rows, phases) if submission else None
        return ImportStatus(
            **self._view(row).model_dump(),
            processing_status=row.processing_status,
            rows_submitted=(submission or {}).get("rows_submitted"),
            submission=submission,
            phases=phases,
            **(counters.model_dump() if counters else {}),
        )

    def original_upload(self, actor: Actor, import_id: str) -> DownloadableFile:
        row = self._load(actor, import_id)
        stored = self.repository.get_file(row.raw_file_id, actor.organization_id) if row.raw_file_id else None
        if stored is None:
            raise SessionNotFoundError(f"Import {import_id} has no stored upload")
        return DownloadableFile(
            path=self.files.path_of(stored.relative_path), file_name=stored.file_name, media_type=_media_type(stored.file_name)
        )

    def error_report(self, actor: Actor, import_id: str, fmt: str) -> DownloadableFile:
        """The failing rows as CSV, JSON or XLSX, built once per error state and kept next to it."""
        if fmt not in REPORT_FORMATS:
            raise UnsupportedFileTypeError(f"error reports come as {', '.join(REPORT_FORMATS)}, not '{fmt}'")
        row = self._load(actor, import_id)
        self._require_validated(row)
        name = f"report.{Path(row.artifacts['errors']).stem}.{fmt}"
        path = self.files.session_dir(import_id) / name
        if not path.exists():
            errors = self.files.read_frame(import_id, row.artifacts["errors"])
            failing = np.unique(errors["row_index"].to_numpy(dtype=np.int64))
            source = self.files.read_rows(import_id, row.artifacts["parsed"], failing).to_pandas()
            source.index = pd.Index(failing)
            self.files.save_bytes(import_id, name, error_report(source, errors, row.mapping or {}, fmt))
        stem = Path(row.file_name).stem
        return DownloadableFile(path=path, file_name=f"{stem}.errors.{fmt}", media_type=REPORT_FORMATS[fmt])


def _range_conditions(column: sa.ColumnElement[datetime], bounds: TimeRange | None) -> list[sa.ColumnElement[bool]]:
    if bounds is None:
        return []
    naive = {k: _naive_utc(v) for k, v in bounds.model_dump().items() if v}
    operators = {"lt": column.__lt__, "lte": column.__le__, "gt": column.__gt__, "gte": column.__ge__}
    return [operators[name](value) for name, value in naive.items()]


def _naive_utc(value: datetime) -> datetime:
    """UTC without tzinfo, as stored; a bound past year 1 or 9999 once in UTC (0001-01-01T00:00+14:00) is the limit."""
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        return datetime.min if value.year == 1 else datetime.max


def _encode_cursor(sort: SessionSort, value: datetime, session_id: str) -> str:
    payload = json.dumps({"s": sort.value, "v": value.isoformat(), "id": session_id}).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: SessionSort) -> tuple[datetime, str]:
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if payload["s"] != sort.value:
            raise InvalidCursorError(f"cursor was made for sort '{payload['s']}', not '{sort.value}'")
        session_id = str(payload["id"])
        session_id.encode("utf-8")  # a lone surrogate (JSON "\ud800") cannot be compared in SQL
        return datetime.fromisoformat(payload["v"]), session_id
    except InvalidCursorError:
        raise
    except (ValueError, KeyError, TypeError, RecursionError) as error:  # UnicodeError is a ValueError
        raise InvalidCursorError("cursor is not one this API handed out") from error


def _media_type(file_name: str) -> str:
    return mimetypes.guess_type(file_name)[0] or "application/octet-stream"


@dataclass(frozen=True)
class _PatchContext:
    row: ImportSessionRow
    mapping: Mapping[str, str]
    value_mapping: Mapping[str, Mapping[str, str]]
    native: Sequence[str]
    detected: Mapping[str, Mapping[str, str]]


def _check_value_mapping(template: Template, value_mapping: Mapping[str, Mapping[str, str]] | None) -> dict[str, dict[str, str]]:
    value_mapping = value_mapping or {}
    for key in value_mapping:
        if key not in template.column_keys or template.column(key).type is not ColumnType.CATEGORY:
            raise InvalidMappingError(f"value_mapping names '{key}', which is not a category column of '{template.id}'", fields=[key])
    return {key: dict(values) for key, values in value_mapping.items()}


def _native_template_columns(row: ImportSessionRow, mapping: Mapping[str, str]) -> list[str]:
    native = set(row.parse_info.get("native_columns", []))
    return [key for key, source in mapping.items() if source in native]


def _infer_locales(source_columns: list[str], sample: list[list[str | None]], native: frozenset[str]) -> dict[str, str]:
    inferred: dict[str, str] = {}
    for position, name in enumerate(source_columns):
        if name in native:
            continue
        locale = infer_numeric_locale(pd.Series([r[position] for r in sample], dtype="str"))
        if locale:
            inferred[name] = locale
    return inferred


def _keys_sharing_values(
    base: pd.DataFrame, previous: pd.DataFrame, overlay: pd.DataFrame, touched: np.ndarray, rules: ValidationRules
) -> pd.DataFrame:
    """The key columns of every row whose duplicate status can change when ``touched`` rows change.

    Those are the rows sharing a key, old or new, with a touched row. They are
    found with ``isin`` on the whole key columns (fast on Arrow strings) and
    only they are rechecked, so a patch never re-scans uniqueness of the whole file.
    ``base`` holds the key columns of the last full validation; ``previous`` and ``overlay``
    the corrected rows before and after this patch.
    """
    corrected = overlay[base.columns]
    old_keys = base.iloc[touched]
    before = previous.index.intersection(touched)
    if len(before):
        old_keys = pd.concat([old_keys, previous.loc[before, list(base.columns)]])
    new_keys = corrected.loc[corrected.index.intersection(touched)]
    wanted = np.zeros(len(base), dtype=bool)
    overlay_wanted = np.zeros(len(corrected), dtype=bool)
    for group in rules.uniqueness_groups:
        group = list(group)
        values = {c: pd.concat([old_keys[c], new_keys[c]]).dropna().unique() for c in group}
        if any(len(v) == 0 for v in values.values()):
            continue
        wanted |= np.logical_and.reduce([base[c].isin(values[c]).to_numpy() for c in group])
        overlay_wanted |= np.logical_and.reduce([corrected[c].isin(values[c]).to_numpy() for c in group])
    # A corrected row counts with its corrected key only: its original key no longer binds it.
    wanted[corrected.index.to_numpy(dtype=np.int64)] = False
    from_base = base.iloc[np.flatnonzero(wanted)]
    from_overlay = corrected[overlay_wanted]
    return pd.concat([from_base, from_overlay]).sort_index()


def _correction_text(value: Any) -> Any:
    if value is None:
        return pd.NA
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _counts(errors: pd.DataFrame, total_rows: int) -> dict[str, Any]:
    error_rows = int(errors["row_index"].nunique())
    by_column = {str(k): int(v) for k, v in errors.groupby("column")["row_index"].nunique().items()}
    return {"valid_rows": total_rows - error_rows, "error_rows": error_rows, "errors_by_column": by_column}


def _to_arrow(frame: pd.DataFrame, with_index: bool = False) -> pa.Table:
    if with_index:
        frame = frame.reset_index(names="row_index")
        frame["row_index"] = frame["row_index"].astype("int64")
    return pa.Table.from_pandas(frame, preserve_index=False)


def _parquet_bytes(table: pa.Table) -> bytes:
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def _remove_replaced(files: FileStore, import_id: str, before: Mapping[str, str], after: Mapping[str, str]) -> None:
    """Old artifact files are deleted only after the SQL pointer has moved to the new ones."""
    for key, name in before.items():
        if after.get(key) != name:
            files.remove(import_id, name)


MAX_FILE_NAME_LENGTH = 255
"""What file systems allow for one name; the column holds 512."""


def upload_file_name(name: str) -> str:
    """The name a client sent, as kept: its last path part (browsers on Windows send ``C:\\…\\x.csv``,
    a hostile client ``../../x.csv``), control characters removed. The bytes are stored as ``upload<ext>``
    whatever the name, so this is only what lists and downloads show."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    if len(cleaned) > MAX_FILE_NAME_LENGTH:
        raise InvalidFileNameError(
            f"The file name is {len(cleaned)} characters long; at most {MAX_FILE_NAME_LENGTH} are accepted", field="upload_file"
        )
    if not cleaned and name:
        raise InvalidFileNameError(f"The file name {name!r} has no name left once folders are removed", field="upload_file")
    return cleaned


MAX_SQL_OFFSET = 2**62
"""Larger OFFSETs overflow SQLite's and PostgreSQL's 64-bit integers; no table holds that many sessions anyway."""


def _page_bounds(page: int, page_size: int, total: int) -> tuple[int, int]:
    """[start, stop) of a 1-based page, clamped to ``total`` so a huge page number is an empty page, not an overflow."""
    start = min((max(page, 1) - 1) * page_size, total)
    return start, min(start + page_size, total)


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        if value == value.normalize() and 1 <= value.year <= 9999:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
