"""Review: pages of the validated rows with their errors, and patches that correct cells."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from imports_pipeline.engine.report_rows import spreadsheet_row
from imports_pipeline.errors import InvalidCorrectionError
from imports_pipeline.sessions.base import REVIEWABLE_STATES, SessionUseCases
from imports_pipeline.sessions.corrections import CorrectionContext, apply_corrections, error_counts
from imports_pipeline.store.tables import CorrectionRow, ImportSessionRow
from imports_pipeline.views import PatchResult, RowError, RowsPage, RowView
from imports_pipeline.vocabulary import Actor, Correction


class ReviewingRows(SessionUseCases):
    def rows(
        self,
        actor: Actor,
        import_id: str,
        page: int = 1,
        page_size: int = 50,
        errors_only: bool = False,
    ) -> RowsPage:
        row = self.load(actor, import_id)
        self.require_validated(row)
        return self.page_of(row, self.tables.errors(row), page, page_size, errors_only)

    def page_of(
        self,
        row: ImportSessionRow,
        errors: pd.DataFrame,
        page: int,
        page_size: int,
        errors_only: bool,
        all_typed: pd.DataFrame | None = None,
    ) -> RowsPage:
        """A page of ``row``'s rows; ``all_typed`` (every typed row, corrections applied) when
        the caller holds them already, as validate does, instead of reading them back."""
        import_id = row.id
        if errors_only:
            candidates = np.unique(errors["row_index"].to_numpy(dtype=np.int64))
            total = len(candidates)
            start, stop = page_bounds(page, page_size, total)
            selected = candidates[start:stop]
        else:
            total = row.total_rows
            selected = np.arange(*page_bounds(page, page_size, total), dtype=np.int64)
        return RowsPage(
            import_id=import_id,
            page=page,
            page_size=page_size,
            total=total,
            pages=math.ceil(total / page_size) if total else 0,
            errors_only=errors_only,
            rows=self.row_views(
                row, selected, errors, typed=None if all_typed is None else all_typed.loc[selected]
            ),
        )

    def row_views(
        self,
        row: ImportSessionRow,
        selected: np.ndarray,
        errors: pd.DataFrame,
        artifacts: Mapping[str, str] | None = None,
        typed: pd.DataFrame | None = None,
    ) -> list[RowView]:
        if typed is None:
            typed = self.tables.typed_rows(row, selected, artifacts)
        page_errors = errors[errors["row_index"].isin(selected)]
        by_row: dict[int, list[RowError]] = {}
        items: Iterable[Any] = page_errors.itertuples(index=False)
        for item in items:
            by_row.setdefault(int(item.row_index), []).append(
                RowError(
                    column=item.column,
                    code=item.code,
                    message=item.message,
                    value=None if pd.isna(item.value) else item.value,
                )
            )
        records = dict(zip(typed.index, cell_records(typed), strict=True))
        return [
            RowView(
                row_index=int(index),
                spreadsheet_row=spreadsheet_row(
                    row.detected_header_row, int(index), row.parse_info.get("row_offsets")
                ),
                values={key: json_value(value) for key, value in records[index].items()},
                errors=by_row.get(int(index), []),
                is_valid=int(index) not in by_row,
            )
            for index in selected
        ]

    def patch_rows(
        self, actor: Actor, import_id: str, corrections: Sequence[Correction]
    ) -> PatchResult:
        """Revalidate only the corrected rows (and the uniqueness rules they touch)."""
        row = self.load(actor, import_id, REVIEWABLE_STATES, "patch rows of")
        template = self.catalog.get(row.template_id)
        if not corrections:
            raise InvalidCorrectionError(
                "corrections is empty: send at least one {row_index, column, value}"
            )
        for correction in corrections:
            if not 0 <= correction.row_index < row.total_rows:
                raise InvalidCorrectionError(
                    f"row_index {correction.row_index} does not exist:"
                    f" the file has rows 0 to {row.total_rows - 1}",
                    field="row_index",
                )
            if correction.column not in template.column_keys:
                raise InvalidCorrectionError(
                    f"column '{correction.column}' is not a column of template '{template.id}'",
                    field="column",
                )
        rules = self.rules_for(template)
        with self.tables.lock(import_id):
            row = self.load(actor, import_id, REVIEWABLE_STATES, "patch rows of")
            errors = self.tables.errors(row)
            now = self.clock()
            new_rows = [
                CorrectionRow(
                    session_id=import_id,
                    row_index=c.row_index,
                    column=c.column,
                    value=c.value,
                    corrected_at=now,
                )
                for c in corrections
            ]
            stored = {(c.row_index, c.column): c for c in self.repository.corrections(import_id)}
            stored.update({(c.row_index, c.column): c for c in new_rows})
            context = CorrectionContext.of(row)
            touched = sorted({c.row_index for c in corrections})
            touched_rows = set(touched)  # a list here made a patch quadratic in its rows
            overlay, errors = apply_corrections(
                self.tables,
                context,
                rules,
                row.artifacts,
                errors,
                [c for c in stored.values() if c.row_index in touched_rows],
            )
            artifacts = dict(row.artifacts)
            artifacts["overlay"] = self.tables.write(import_id, "overlay", overlay, with_index=True)
            artifacts["errors"] = self.tables.write(import_id, "errors", errors)
            counts = error_counts(errors, row.total_rows)
            self.repository.save_corrections_and_update(
                import_id,
                new_rows,
                self.clock(),
                artifacts=artifacts,
                updated_by=actor.acting_id,
                **counts,
            )
        self.tables.remove_replaced(import_id, row.artifacts, artifacts)
        selected = np.array(touched, dtype=np.int64)
        # the touched rows are all in the overlay just built: no need to read it back
        updated = self.row_views(row, selected, errors, artifacts, typed=overlay.loc[selected])
        return PatchResult(
            import_id=import_id,
            updated_rows=updated,
            remaining_errors=len(errors),
            **counts,
        )


def page_bounds(page: int, page_size: int, total: int) -> tuple[int, int]:
    """[start, stop) of a 1-based page, clamped to ``total``: a huge page number is an empty page,
    not an overflow."""
    start = min((max(page, 1) - 1) * page_size, total)
    return start, min(start + page_size, total)


def cell_records(typed: pd.DataFrame) -> list[dict[str, Any]]:
    """Each row's cells as Python values (missing ones as None), read through Arrow: pandas'
    ``astype(object).where(...).to_dict()`` took 3 ms for a page of 50 rows, this 0.5 ms. A
    column Arrow cannot type (mixed Python objects) takes pandas' way."""
    try:
        return pa.Table.from_pandas(typed, preserve_index=False).to_pylist()  # type: ignore[no-any-return]
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        cells = typed.astype(object).where(typed.notna(), None)
        return cells.to_dict(orient="records")  # type: ignore[return-value]


def json_value(value: Any) -> Any:
    """A typed cell as JSON: dates without a time as dates, NumPy scalars as Python's, NaN as
    null."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        if value == value.normalize() and 1 <= value.year <= 9999:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
