"""Mapping: suggest source → template columns, and list the category values a mapping would bring
in."""

from __future__ import annotations

from collections.abc import Mapping

from imports_pipeline.engine.mapping import suggest_mapping
from imports_pipeline.engine.values import unique_values as engine_unique_values
from imports_pipeline.errors import InvalidMappingError, StepOutOfOrderError
from imports_pipeline.sessions.base import MAPPABLE_STATES, SessionUseCases
from imports_pipeline.store.tables import ImportSessionRow
from imports_pipeline.templates.model import ColumnType, Template
from imports_pipeline.views import (
    MappingCandidate,
    MappingColumnSuggestion,
    MappingSuggestionResult,
    UniqueValue,
    UniqueValuesResult,
)
from imports_pipeline.vocabulary import Actor, SessionStatus


class MappingColumns(SessionUseCases):
    def suggest_mapping(self, actor: Actor, import_id: str) -> MappingSuggestionResult:
        row = self.load(actor, import_id, MAPPABLE_STATES, "suggest a mapping for")
        template = self.catalog.get(row.template_id)
        rules = self.rules_for(template)
        remembered = self.repository.remembered_mapping(
            actor.organization_id, template.id, row.source_columns
        )
        suggestion = suggest_mapping(
            template,
            list(row.source_columns),
            self.tables.sample_frame(row),
            rules.options_by_column,
            remembered,
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
                    candidates=[
                        MappingCandidate(source_column=k.source_column, score=round(k.score, 4))
                        for k in c.candidates
                    ],
                )
                for c in suggestion.columns
            ],
            unmapped_required=suggestion.unmapped_required,
        )

    def unique_values(
        self, actor: Actor, import_id: str, mapping: Mapping[str, str], limit: int | None = None
    ) -> UniqueValuesResult:
        """Distinct raw values of each mapped category column, with option suggestions."""
        row = self.load(actor, import_id, MAPPABLE_STATES, "list unique values of")
        template = self.catalog.get(row.template_id)
        mapping = mapping_to_use(row, template, mapping, "send one or call mapping/suggest first")
        rules = self.rules_for(template)
        categories = {
            k: s for k, s in mapping.items() if template.column(k).type is ColumnType.CATEGORY
        }
        table = self.files.read_table(
            row.id, row.artifacts["parsed"], columns=sorted(set(categories.values()))
        )
        value_mapping = row.value_mapping or {}
        columns = {
            key: [
                UniqueValue(
                    raw_value=v.raw_value,
                    count=v.count,
                    is_valid=v.is_valid,
                    suggested_option=v.option,
                    score=round(v.score, 4),
                    candidates=list(v.candidates),
                )
                for v in engine_unique_values(
                    table.column(source).to_pandas(),
                    rules.options_by_column[key],
                    value_mapping.get(key),
                    limit,
                )
            ]
            for key, source in categories.items()
        }
        if row.status == SessionStatus.PARSED:
            self.repository.update(
                import_id,
                self.clock(),
                status=SessionStatus.MAPPED.value,
                mapping=mapping,
                updated_by=actor.acting_id,
            )
        return UniqueValuesResult(import_id=import_id, columns=columns)


def check_value_mapping(
    template: Template, value_mapping: Mapping[str, Mapping[str, str]] | None
) -> dict[str, dict[str, str]]:
    """The value mapping as plain dicts; a key that is not a category column of the template is
    refused."""
    value_mapping = value_mapping or {}
    for key in value_mapping:
        if key not in template.column_keys or template.column(key).type is not ColumnType.CATEGORY:
            raise InvalidMappingError(
                f"value_mapping names '{key}', which is not a category column of '{template.id}'",
                fields=[key],
            )
    return {key: dict(values) for key, values in value_mapping.items()}


def mapping_to_use(
    row: ImportSessionRow, template: Template, mapping: Mapping[str, str] | None, hint: str
) -> dict[str, str]:
    """The mapping sent, else the session's last one, checked; refused when there is none yet
    (``hint`` says what to do)."""
    checked = check_mapping(row, template, mapping or row.mapping or {})
    if not checked:
        raise StepOutOfOrderError(f"Import {row.id} has no mapping yet: {hint}")
    return checked


def check_mapping(
    row: ImportSessionRow, template: Template, mapping: Mapping[str, str]
) -> dict[str, str]:
    """The mapping without empty sources; names of columns the template or the file lacks are
    refused."""
    unknown_targets = sorted(set(mapping) - set(template.column_keys))
    if unknown_targets:
        raise InvalidMappingError(
            f"mapping names template columns that do not exist in '{template.id}':"
            f" {', '.join(unknown_targets)}",
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
