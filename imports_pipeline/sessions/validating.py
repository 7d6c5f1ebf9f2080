"""Validate: a full pass over every row with the chosen mapping, corrections re-applied on top."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from imports_pipeline.engine.duplicates import left_out_by_duplicate_handling
from imports_pipeline.engine.validation import (
    PARALLEL_THRESHOLD,
    CoercedRows,
    ValidationRules,
    check_rows,
    coerce_rows,
)
from imports_pipeline.errors import InvalidMappingError, StepTakenOverError
from imports_pipeline.sessions.base import MAPPABLE_STATES
from imports_pipeline.sessions.corrections import (
    CorrectionContext,
    apply_corrections,
    error_counts,
    native_template_columns,
)
from imports_pipeline.sessions.mapping import check_value_mapping, mapping_to_use
from imports_pipeline.sessions.recovery import VALIDATE
from imports_pipeline.sessions.reviewing import ReviewingRows
from imports_pipeline.sessions.tables import with_overlay
from imports_pipeline.store.leases import new_lease
from imports_pipeline.views import DuplicatesLeftOut, ValidationResult
from imports_pipeline.vocabulary import Actor, SessionStatus


class ValidatingRows(ReviewingRows):
    """Validate answers with its first page of rows, so it stands on the review use cases."""

    def _write_while_checking(
        self, import_id: str, coerced: CoercedRows, raw: pd.DataFrame, rules: ValidationRules
    ) -> tuple[str, pd.DataFrame]:
        """The typed rows' file name and the row errors. Writing releases the GIL, so on a large
        file it overlaps the checks; below ``PARALLEL_THRESHOLD`` rows a thread costs more."""
        if len(raw) < PARALLEL_THRESHOLD:
            return self.tables.write(import_id, "rows", coerced.typed), check_rows(
                coerced, raw, rules
            )
        with ThreadPoolExecutor(max_workers=1) as writer:
            rows_name = writer.submit(self.tables.write, import_id, "rows", coerced.typed)
            errors = check_rows(coerced, raw, rules)
            return rows_name.result(), errors

    def validate(
        self,
        actor: Actor,
        import_id: str,
        mapping: Mapping[str, str] | None,
        value_mapping: Mapping[str, Mapping[str, str]] | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> ValidationResult:
        """Full validation pass with the chosen mapping; existing corrections are re-applied on
        top."""
        row = self.load(actor, import_id, MAPPABLE_STATES, "validate")
        template = self.catalog.get(row.template_id)
        mapping = mapping_to_use(row, template, mapping, "send a mapping (see mapping/suggest)")
        missing = [
            c.key
            for c in template.columns
            if c.required and c.default is None and c.key not in mapping
        ]
        if missing:
            raise InvalidMappingError(
                f"required template columns are not mapped: {', '.join(missing)}", fields=missing
            )
        value_mapping = check_value_mapping(template, value_mapping)
        rules = self.rules_for(template)
        with self.tables.lock(import_id):
            # Again under the lock: a submit may have finished while this call waited for it.
            row = self.load(actor, import_id, MAPPABLE_STATES, "validate")
            previous = dict(row.artifacts)
            lease = new_lease(VALIDATE, row.status, self.clock())
            self.repository.update(
                import_id, self.clock(), status=SessionStatus.VALIDATING.value, lease=lease
            )
            try:
                raw = self.tables.raw_frame(row, mapping)
                native = native_template_columns(row, mapping)
                coerced = coerce_rows(raw, rules, row.numeric_locale, value_mapping, native)
                rows_name, errors = self._write_while_checking(import_id, coerced, raw, rules)
                artifacts = {"parsed": previous["parsed"], "rows": rows_name}
                detected = coerced.detected
                corrections = self.repository.corrections(import_id)
                if corrections:
                    context = CorrectionContext(row, mapping, value_mapping, native, detected)
                    overlay, errors = apply_corrections(
                        self.tables, context, rules, artifacts, errors, corrections
                    )
                    artifacts["overlay"] = self.tables.write(
                        import_id, "overlay", overlay, with_index=True
                    )
                final = with_overlay(coerced.typed, overlay) if corrections else coerced.typed
                left_out = left_out_by_duplicate_handling(final, errors, template.key_columns)
                artifacts["errors"] = self.tables.write(import_id, "errors", errors)
                counts = error_counts(errors, row.total_rows)
                self.finish_step(
                    import_id,
                    lease,
                    status=SessionStatus.VALIDATED.value,
                    updated_by=actor.acting_id,
                    status_detail=None,
                    mapping=mapping,
                    value_mapping=value_mapping,
                    artifacts=artifacts,
                    parse_info={**row.parse_info, "detected": detected},
                    **counts,
                )
            except StepTakenOverError:
                raise
            except Exception:
                self.abandon_step(import_id, lease, status=row.status, artifacts=previous)
                raise
        self.tables.remove_replaced(import_id, previous, artifacts)
        self.repository.remember_mapping(actor.organization_id, template.id, mapping, self.clock())
        # The page from the frames at hand: reading back the files just written cost a sixth of
        # a small validate.
        rows_page = self.page_of(row, errors, page, page_size, errors_only=False, all_typed=final)
        return ValidationResult(
            import_id=import_id,
            status=SessionStatus.VALIDATED,
            total_rows=row.total_rows,
            detected=detected,
            page=rows_page.page,
            page_size=rows_page.page_size,
            pages=rows_page.pages,
            rows=rows_page.rows,
            left_out_by_duplicate_handling={
                policy: DuplicatesLeftOut(rows=rows, keys=keys)
                for policy, (rows, keys) in left_out.items()
            },
            **counts,
        )
