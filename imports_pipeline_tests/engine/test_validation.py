"""The template's rules as row errors: the same cells pandera's own lazy validation finds, and text
rules on columns that are not text."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from imports_pipeline.engine.validation import ValidationRules, check_rows, coerce_rows
from imports_pipeline.templates.model import Option, Template, TemplateColumn

TEMPLATE = Template(
    id="shipments",
    name="Shipments",
    columns=(
        TemplateColumn(key="code", label="Code", required=True, pattern=r"^[A-Z]{2}\d+$"),
        TemplateColumn(key="note", label="Note", max_length=5),
        TemplateColumn(key="contact", label="Contact", type="email"),
        TemplateColumn(key="weight", label="Weight", type="number", min=0, max=1000),
        TemplateColumn(key="postcode", label="Postcode", type="integer", pattern=r"^\d{5}$"),
        TemplateColumn(
            key="mode",
            label="Mode",
            type="category",
            required=True,
            options=(Option(value="road", label="Road"), Option(value="sea", label="Sea")),
        ),
    ),
)
RULES = ValidationRules(TEMPLATE, {"mode": list(TEMPLATE.column("mode").options or ())})

RAW = pd.DataFrame(
    {
        "code": ["AB1", "ab2", None, "CD4", "EF5", "GH6"],
        "note": ["ok", "far too long", None, "fine", "x", "y"],
        "contact": ["a@b.io", "nope", "c@d.es", None, "e@f.com", "g@h"],
        "weight": ["10", "-1", "2000", "5", None, "7"],
        "postcode": ["28001", "123", "08001", None, "9999", "41001"],
        "mode": ["road", "Sea", "air", None, "road", "plane"],
    },
    index=pd.Index([0, 1, 2, 3, 4, 5], name="row_index"),
)


def _errors() -> set[tuple[int, str, str]]:
    coerced = coerce_rows(RAW, RULES, "en_US")
    errors = check_rows(coerced, RAW, RULES)
    return set(zip(errors["row_index"], errors["column"], errors["code"], strict=True))


def test_rule_errors_are_the_cells_pandera_finds():
    """Checked against ``DataFrameSchema.validate(lazy=True)`` on the text columns, where the
    library's own run can judge every rule."""
    coerced = coerce_rows(RAW, RULES, "en_US")
    text_columns = ["code", "note", "contact", "weight", "mode"]
    try:
        RULES.rule_schema.schema.validate(coerced.typed[text_columns], lazy=True)
        cases = pd.DataFrame(columns=["index", "column"])
    except pa.errors.SchemaErrors as failure:
        cases = failure.failure_cases
    from_pandera = {
        (int(row), column)
        for row, column in zip(cases["index"], cases["column"], strict=True)
        if pd.notna(row)
    }
    ours = {(row, column) for row, column, _ in _errors() if column in text_columns}
    assert ours == from_pandera
    assert ours == {
        (1, "code"),
        (2, "code"),
        (1, "note"),
        (1, "contact"),
        (5, "contact"),
        (1, "weight"),
        (2, "weight"),
        (2, "mode"),
        (3, "mode"),
        (5, "mode"),
    }


def test_each_failing_cell_has_its_code():
    errors = _errors()
    assert (2, "code", "required") in errors and (1, "code", "pattern") in errors
    assert (1, "note", "too_long") in errors and (5, "contact", "invalid_email") in errors
    assert (1, "weight", "out_of_range") in errors and (2, "weight", "out_of_range") in errors
    assert (2, "mode", "invalid_option") in errors and (3, "mode", "required") in errors
    # "Sea" is mapped to the option "sea" before the rules see it
    assert not any(row == 1 and column == "mode" for row, column, _ in errors)


def test_a_pattern_on_an_integer_column_reads_the_cell_as_written():
    """pandera's ``str_matches`` fails on an integer column; the rule reads the file's text, so
    "08001" matches five digits although its number is 8001."""
    postcode = {(row, code) for row, column, code in _errors() if column == "postcode"}
    assert postcode == {(1, "pattern"), (4, "pattern")}


def test_errors_sort_by_row_then_template_column_then_code_keeping_ties_in_order():
    from imports_pipeline.engine.validation import sort_errors

    errors = pd.DataFrame(
        {
            "row_index": [3, 1, 1, 1, 0, 1, 1],
            "column": ["code", "mode", "elsewhere", "note", "mode", "code", "code"],
            "code": ["required", "invalid_option", "x", "too_long", "required", "pattern", "b"],
            "value": ["first", "o", "e", "n", "m", "p1", "b1"],
            "message": ["m"] * 7,
        }
    )
    tied = pd.concat([errors, errors.iloc[[5]].assign(value="p2")], ignore_index=True)
    ordered = sort_errors(tied, TEMPLATE)
    assert list(zip(ordered["row_index"], ordered["column"], ordered["value"], strict=True)) == [
        (0, "mode", "m"),
        (1, "code", "b1"),
        (1, "code", "p1"),
        (1, "code", "p2"),
        (1, "note", "n"),
        (1, "mode", "o"),
        (1, "elsewhere", "e"),
        (3, "code", "first"),
    ]
    assert ordered.index.tolist() == list(range(8))


def test_a_cell_that_failed_coercion_has_no_rule_error_besides():
    """'abc' in an integer postcode column is invalid_type only, though the pattern also fails
    on it; other cells of the same row and column keep their rule errors."""
    raw = RAW.assign(postcode=["abc", "123", "08001", None, "9999", "41001"])
    errors = check_rows(coerce_rows(raw, RULES, "en_US"), raw, RULES)
    postcode = errors[errors["column"] == "postcode"]
    assert sorted(zip(postcode["row_index"], postcode["code"], strict=True)) == [
        (0, "invalid_type"),
        (1, "pattern"),
        (4, "pattern"),
    ]
