"""Value evidence: shapes, ranges, options, uniqueness and date order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from imports_pipeline.engine.mapping.profiles import compatibility, date_order, leftovers, to_float
from imports_pipeline.templates.model import ColumnType, Option, TemplateColumn

COLUMNS = (
    TemplateColumn(key="email", label="Email", type=ColumnType.EMAIL),
    TemplateColumn(key="discount", label="Discount", type=ColumnType.NUMBER, min=0, max=100),
    TemplateColumn(key="iban", label="Counterparty IBAN"),
    TemplateColumn(
        key="status",
        label="Status",
        type=ColumnType.CATEGORY,
        options=(Option(value="paid", label="Paid"), Option(value="sent", label="Sent")),
    ),
    TemplateColumn(key="ref", label="Reference", unique=True),
)
OPTIONS = {"status": list(COLUMNS[3].options or ())}


def shares(frame: pd.DataFrame) -> np.ndarray:
    compat, _, _ = compatibility(COLUMNS, frame.shape[1], frame, list(frame.columns), OPTIONS)
    return compat


def test_person_names_do_not_fit_an_email_column() -> None:
    frame = pd.DataFrame(
        {"E-mail": ["Ana García", "Luis Martín"], "Mail": ["a@b.com", "c@d.es"]}, dtype="str"
    )
    assert shares(frame)[0].tolist() == [0.0, 1.0]


def test_amounts_above_max_do_not_fit_a_percentage() -> None:
    frame = pd.DataFrame({"Dto": ["5", "10,5"], "Discount": ["150", "2.300,00"]}, dtype="str")
    assert shares(frame)[1].tolist() == [1.0, 0.0]


def test_iban_shape_comes_from_the_name() -> None:
    frame = pd.DataFrame({"a": ["ES9121000418450200051332"], "b": ["hello"]}, dtype="str")
    assert shares(frame)[2].tolist() == [1.0, 0.0]


def test_translated_option_values_fit_their_category() -> None:
    frame = pd.DataFrame(
        {"Estado": ["Pagada", "Enviada", "Pagada", "Pagada", "Enviada"]}, dtype="str"
    )
    assert shares(frame)[3, 0] == 1.0


def test_repeated_values_do_not_fit_a_unique_column() -> None:
    frame = pd.DataFrame({"r": ["A", "A", "A", "B"]}, dtype="str")
    assert shares(frame)[4, 0] < 0.6


def test_to_float_reads_both_decimal_marks() -> None:
    values = to_float(pd.Series(["1.234,5", "1,234.5", "12,5", "€ 7", "x"], dtype="str"))
    assert values[:4].tolist() == [1234.5, 1234.5, 12.5, 7.0]
    assert np.isnan(values[4])


def test_date_order_sees_the_due_date_after_the_issue_date() -> None:
    frame = pd.DataFrame(
        {
            "Date": ["01/03/2024", "15/04/2024", "20/05/2024"],
            "Date (2)": ["31/03/2024", "15/05/2024", "19/06/2024"],
        },
        dtype="str",
    )
    order = date_order(frame, list(frame.columns), np.array([1.0, 1.0]))
    assert order == {(0, 1): 1.0, (1, 0): -1.0}


def test_the_last_open_date_column_takes_the_last_fitting_date_source() -> None:
    kinds = ["date", "date", "number"]
    compat = np.array([[1.0, 0.0, 1.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    assert leftovers({0: 0, 2: 1}, compat, kinds) == {1: 2}
    # two open date columns: no guess
    assert leftovers({2: 1}, compat, kinds) == {}


def test_an_explicit_date_format_decides_which_dates_fit() -> None:
    columns = (TemplateColumn(key="day", label="Day", type=ColumnType.DATE, format="%Y%m%d"),)
    frame = pd.DataFrame(
        {"a": ["20240301", "20240415"], "b": ["2024-03-01", "2024-04-15"]}, dtype="str"
    )
    compat, _, _ = compatibility(columns, 2, frame, list(frame.columns), {})
    assert compat[0].tolist() == [1.0, 0.0]


def test_the_last_open_boolean_takes_the_last_yes_no_source() -> None:
    kinds = ["text", "boolean"]
    compat = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.2]])
    assert leftovers({0: 0}, compat, kinds) == {1: 1}
    two_yes_no = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    assert leftovers({0: 0}, two_yes_no, kinds) == {}
