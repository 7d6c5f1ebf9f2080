"""The pandera schema generated from a template.

Cells reach the schema already coerced to their types (see ``coercion``), so
the schema only checks rules: required, range, pattern, length, options,
email shape. Each check's position is remembered so a pandera failure maps
back to one of our stable error codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from imports_pipeline.templates.model import ColumnType, Option, Template, TemplateColumn

if TYPE_CHECKING:
    import pandera.pandas as pa

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$"


@dataclass(frozen=True)
class RuleSchema:
    schema: pa.DataFrameSchema
    check_codes: dict[tuple[str, int], str]
    """(column, check_number) → error code, e.g. ("distance_km", 0) → "out_of_range"."""


def _checks_for(column: TemplateColumn, options: list[Option]) -> list[tuple[str, pa.Check]]:
    import pandera.pandas as pa  # 0.3 s: imported when a schema is built, not by every importer

    checks: list[tuple[str, pa.Check]] = []
    numeric = column.type in (ColumnType.NUMBER, ColumnType.INTEGER)
    if numeric and column.min is not None:
        checks.append(("out_of_range", pa.Check.ge(column.min)))
    if numeric and column.max is not None:
        checks.append(("out_of_range", pa.Check.le(column.max)))
    if column.type is ColumnType.EMAIL:
        checks.append(("invalid_email", pa.Check.str_matches(EMAIL_PATTERN)))
    if column.pattern:
        checks.append(("pattern", pa.Check.str_matches(column.pattern)))
    if column.max_length:
        checks.append(("too_long", pa.Check.str_length(max_value=column.max_length)))
    if column.type is ColumnType.CATEGORY:
        checks.append(("invalid_option", pa.Check.isin([option.value for option in options])))
    return checks


def build_rule_schema(template: Template, options_by_column: dict[str, list[Option]]) -> RuleSchema:
    import pandera.pandas as pa

    columns: dict[str, pa.Column] = {}
    codes: dict[tuple[str, int], str] = {}
    for column in template.columns:
        checks = _checks_for(column, options_by_column.get(column.key, []))
        for number, (code, _) in enumerate(checks):
            codes[(column.key, number)] = code
        columns[column.key] = pa.Column(
            None,
            checks=[check for _, check in checks],
            nullable=not column.required,
            required=False,
        )
    return RuleSchema(pa.DataFrameSchema(columns, strict=False), codes)
