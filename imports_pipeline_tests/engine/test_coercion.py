"""The prevalidate phase: raw text cells → typed values, invalid-cell masks and what was
inferred."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from imports_pipeline.engine.coercion import (
    SUPPORTED_LOCALES,
    coerce_column,
    infer_numeric_locale,
    parse_number,
)
from imports_pipeline.errors import UnsupportedLocaleError
from imports_pipeline.templates.model import ColumnType, TemplateColumn

NBSP, NNBSP = "\u00a0", "\u202f"


def column(kind: ColumnType, fmt: str | None = None) -> TemplateColumn:
    return TemplateColumn(key="cell", label="Cell", type=kind, format=fmt)


def cells(*values: str | None) -> pd.Series:
    return pd.Series(values, dtype="str", index=range(10, 10 + len(values)), name="source")


def numbers(
    *values: str | None,
    locale: str | None = None,
    kind: ColumnType = ColumnType.NUMBER,
    native: bool = False,
):
    return coerce_column(cells(*values), column(kind), numeric_locale=locale, native=native)


def dates(
    *values: str | None,
    kind: ColumnType = ColumnType.DATE,
    fmt: str | None = None,
    native: bool = False,
):
    return coerce_column(cells(*values), column(kind, fmt), native=native)


def as_list(values: pd.Series) -> list:
    """Missing values (NA, NaT) as None, so whole columns compare with ==."""
    return [None if pd.isna(value) else value for value in values]


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def test_supported_locales_are_the_documented_ones():
    assert SUPPORTED_LOCALES == ("es_ES", "en_US", "en_GB", "de_DE", "fr_FR", "pt_PT", "it_IT")


@pytest.mark.parametrize(
    ("locale", "text", "expected"),
    [
        ("es_ES", "125,4", 125.4),
        ("es_ES", "1.234,5", 1234.5),
        ("es_ES", "1.234", 1234.0),
        ("es_ES", "1 234,5", 1234.5),
        ("es_ES", f"1{NBSP}234,5", 1234.5),
        ("es_ES", "1.234.567", 1234567.0),
        ("es_ES", "0,5", 0.5),
        ("de_DE", "-1.234,56", -1234.56),
        ("pt_PT", "+1.234,5", 1234.5),
        ("it_IT", "12,75", 12.75),
        ("fr_FR", "1 234,5", 1234.5),
        ("fr_FR", f"1{NBSP}234,5", 1234.5),
        ("fr_FR", f"1{NNBSP}234,5", 1234.5),
        ("fr_FR", "-0,25", -0.25),
        ("en_US", "1,234.5", 1234.5),
        ("en_US", "1.5e3", 1500.0),
        ("en_US", "-1,234", -1234.0),
        ("en_US", ".5", 0.5),
        ("en_GB", "1,234,567.89", 1234567.89),
        ("en_GB", "1.5E-2", 0.015),
    ],
)
def test_numbers_follow_the_locale(locale: str, text: str, expected: float):
    result = numbers(text, locale=locale)
    assert as_list(result.values) == [expected]
    assert result.invalid.tolist() == [False]
    assert result.detected == {}


@pytest.mark.parametrize(
    ("locale", "text", "expected"),
    [
        ("es_ES", "1.234,50 €", 1234.5),
        ("es_ES", "€ -1.234,5", -1234.5),
        ("es_ES", "-€1.234,5", -1234.5),
        ("de_DE", "EUR 12,5", 12.5),
        ("de_DE", "12,5eur", 12.5),
        ("en_US", "$1,234.50", 1234.5),
        ("en_US", "-$5", -5.0),
        ("en_US", " 1,234.50 USD ", 1234.5),
        ("en_GB", "£3.20", 3.2),
        ("fr_FR", f"1{NNBSP}234,5{NBSP}€", 1234.5),
    ],
)
def test_currency_and_surrounding_spaces_are_stripped(locale: str, text: str, expected: float):
    assert as_list(numbers(text, locale=locale).values) == [expected]


def test_invalid_numbers_are_flagged_by_position_and_empty_cells_are_not():
    result = numbers(
        "12,5", "n/a", None, "abc", "", "   ", "12,3,4", "1.23,4", "5-", "€", locale="es_ES"
    )
    assert result.invalid.tolist() == [
        False,
        True,
        False,
        True,
        False,
        False,
        True,
        True,
        True,
        True,
    ]
    assert result.values.isna().tolist() == [False] + [True] * 9
    assert result.values.dtype == "Float64"
    assert list(result.values.index) == list(range(10, 20))
    assert result.values.name == "source"


def test_fr_fr_does_not_read_dots_as_thousands():
    assert numbers("1.234,5", "1 234,5", locale="fr_FR").invalid.tolist() == [True, False]


def test_dot_locale_rejects_comma_decimals_and_spaces():
    assert numbers("12,5", "1 234", "1,234.5", locale="en_US").invalid.tolist() == [
        True,
        True,
        False,
    ]


def test_integers_must_be_whole_after_locale_parsing():
    result = numbers(
        "1.234", "12,5", "12,0", "-7", "x", None, locale="es_ES", kind=ColumnType.INTEGER
    )
    assert result.values.dtype == "Int64"
    assert as_list(result.values) == [1234, None, 12, -7, None, None]
    assert result.invalid.tolist() == [False, True, False, False, True, False]


def test_inference_picks_comma_decimal_for_an_es_style_column():
    result = numbers("1.234,5", "125,4", "1.234", "7", None)
    assert result.detected == {"numeric_locale": "es_ES"}
    assert as_list(result.values) == [1234.5, 125.4, 1234.0, 7.0, None]


def test_inference_picks_dot_decimal_for_a_us_style_column():
    result = numbers("1,234.5", "0.75", "1,234", "1.234")
    assert result.detected == {"numeric_locale": "en_US"}
    assert as_list(result.values) == [1234.5, 0.75, 1234.0, 1.234]


def test_inference_reports_fr_fr_when_thousands_are_spaces():
    result = numbers(f"1{NBSP}234,5", "12,5", "3")
    assert result.detected == {"numeric_locale": "fr_FR"}
    assert as_list(result.values) == [1234.5, 12.5, 3.0]


def test_ambiguous_column_is_read_as_en_us_without_reporting_a_locale():
    result = numbers("1,234", "1.234", "12")
    assert result.detected == {}
    assert as_list(result.values) == [1234.0, 1.234, 12.0]


def test_inference_majority_wins_and_the_minority_is_invalid():
    result = numbers("1,5", "2,25", "0,5", "3.75")
    assert result.detected == {"numeric_locale": "es_ES"}
    assert as_list(result.values) == [1.5, 2.25, 0.5, None]
    assert result.invalid.tolist() == [False, False, False, True]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1.234,5", "125,4", "1,25", "0,5"], "es_ES"),
        (["1,2345", "3"], "es_ES"),
        (["1,234.5", "125.4", "0.75"], "en_US"),
        (["1 234,5", "12,5"], "fr_FR"),
        (["1,234", "1.234", "12"], None),
        (["Madrid", "Paris", None], None),
        ([None, None], None),
    ],
)
def test_infer_numeric_locale(values: list[str | None], expected: str | None):
    assert infer_numeric_locale(pd.Series(values, dtype="str")) == expected


def test_native_numbers_ignore_the_locale():
    result = numbers("1234.5", "12", "-0.25", locale="es_ES", native=True)
    assert as_list(result.values) == [1234.5, 12.0, -0.25]
    assert result.detected == {}


def test_object_dtype_input_is_accepted():
    raw = pd.Series(["1,5", None, np.nan], dtype=object)
    result = coerce_column(raw, column(ColumnType.NUMBER), numeric_locale="es_ES")
    assert as_list(result.values) == [1.5, None, None]
    assert result.invalid.tolist() == [False, False, False]


def test_unsupported_locale_is_refused_listing_the_supported_ones():
    with pytest.raises(UnsupportedLocaleError) as raised:
        numbers("1", locale="xx_XX")
    assert "es_ES" in raised.value.message and "it_IT" in raised.value.message
    with pytest.raises(UnsupportedLocaleError):
        parse_number("1", "nl_NL")


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("1.234,5", "es_ES", 1234.5),
        ("1,234.5", "en_US", 1234.5),
        (" 12 € ", "es_ES", 12.0),
        ("1,5", None, 1.5),
        ("1.5", None, 1.5),
        ("1,234", None, 1234.0),
        ("abc", "es_ES", None),
        ("", "es_ES", None),
        ("12,5", "en_US", None),
    ],
)
def test_parse_number(text: str, locale: str | None, expected: float | None):
    assert parse_number(text, locale) == expected


def test_day_first_column():
    result = dates("01/03/2026", "13/02/2026", "5.4.26", "07-08-2026")
    assert result.detected == {"date_order": "day_first"}
    assert as_list(result.values) == [
        ts("2026-03-01"),
        ts("2026-02-13"),
        ts("2026-04-05"),
        ts("2026-08-07"),
    ]
    assert result.values.dtype == "datetime64[ms]"


def test_month_first_column():
    result = dates("03/13/2026", "01/02/2026", "12/31/99")
    assert result.detected == {"date_order": "month_first"}
    assert as_list(result.values) == [ts("2026-03-13"), ts("2026-01-02"), ts("1999-12-31")]


def test_ambiguous_only_column_is_day_first():
    result = dates("01/02/2026", "03/04/2026")
    assert result.detected == {"date_order": "day_first"}
    assert as_list(result.values) == [ts("2026-02-01"), ts("2026-04-03")]


def test_iso_dates_and_datetimes():
    result = dates(
        "2026-03-01", "2026-03-01 10:30", "2026-03-01T10:30:15", kind=ColumnType.DATETIME
    )
    assert as_list(result.values) == [
        ts("2026-03-01"),
        ts("2026-03-01 10:30"),
        ts("2026-03-01 10:30:15"),
    ]
    assert result.detected == {}


def test_date_type_is_normalised_to_midnight():
    result = dates("2026-03-01T10:30:00", "01/03/2026 23:59")
    assert as_list(result.values) == [ts("2026-03-01"), ts("2026-03-01")]


def test_numeric_datetimes_keep_their_time():
    result = dates("13/03/2026 10:30", "01/03/2026 23:59:59", kind=ColumnType.DATETIME)
    assert as_list(result.values) == [ts("2026-03-13 10:30"), ts("2026-03-01 23:59:59")]


def test_impossible_and_unreadable_dates_are_invalid_and_empty_ones_are_not():
    result = dates(
        "31/02/2026",
        "29/02/2025",
        "29/02/2024",
        "2026-13-01",
        "13/13/2026",
        "soon",
        None,
        " ",
        "01/03/2026 25:00",
    )
    assert result.invalid.tolist() == [True, True, False, True, True, True, False, False, True]
    assert as_list(result.values)[2] == ts("2024-02-29")


def test_years_outside_1_to_9999_are_invalid():
    """Year 0 parses in NumPy but not in Python, SQL or most JSON clients: it must never reach a
    stored row."""
    result = dates(
        "0000-01-01",
        "0001-01-01",
        "9999-12-31",
        "01/01/0000",
        "2026-03-01",
        kind=ColumnType.DATETIME,
    )
    assert result.invalid.tolist() == [True, False, False, True, False]
    assert as_list(result.values)[1:3] == [ts("0001-01-01"), ts("9999-12-31")]


def test_excel_serials_when_the_column_is_mostly_numbers():
    result = dates("45717", "45717.75", "46000", "2026-03-01", kind=ColumnType.DATETIME)
    assert result.detected == {"date_format": "excel_serial"}
    assert as_list(result.values) == [
        ts("2025-03-01"),
        ts("2025-03-01 18:00"),
        ts("2025-12-09"),
        ts("2026-03-01"),
    ]


def test_excel_serials_out_of_range_are_invalid():
    assert dates("45717", "0", "99999").invalid.tolist() == [False, True, True]


def test_a_few_numbers_in_a_date_column_are_not_serials():
    result = dates("01/03/2026", "02/03/2026", "45717")
    assert result.invalid.tolist() == [False, False, True]
    assert result.detected == {"date_order": "day_first"}


def test_explicit_format_wins_over_detection():
    result = dates("03/01/2026", "04/01/2026", "13/01/2026", "2026-03-01", fmt="%m/%d/%Y")
    assert as_list(result.values) == [ts("2026-03-01"), ts("2026-04-01"), None, None]
    assert result.invalid.tolist() == [False, False, True, True]
    assert result.detected == {}


def test_explicit_datetime_format():
    result = dates("01.03.2026 10h30", None, kind=ColumnType.DATETIME, fmt="%d.%m.%Y %Hh%M")
    assert as_list(result.values) == [ts("2026-03-01 10:30"), None]
    assert result.invalid.tolist() == [False, False]


def test_native_dates_are_iso_only():
    result = dates(
        "2026-03-01T10:30:00", "2026-03-02", "01/03/2026", kind=ColumnType.DATETIME, native=True
    )
    assert as_list(result.values) == [ts("2026-03-01 10:30"), ts("2026-03-02"), None]
    assert result.invalid.tolist() == [False, False, True]
    assert result.detected == {}


def test_booleans_in_several_languages():
    raw = cells(
        "true",
        "FALSE",
        "Sí",
        "si",
        "no",
        "Verdadero",
        "falso",
        "vrai",
        "Faux",
        "JA",
        "nein",
        "sim",
        "NÃO",
        "nao",
        "x",
        "1",
        "0",
        "Y",
        "n",
        "T",
        "f",
    )
    result = coerce_column(raw, column(ColumnType.BOOLEAN))
    assert result.values.dtype == "boolean"
    expected = [
        True,
        False,
        True,
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        False,
        False,
        True,
        True,
        False,
        True,
        False,
        True,
        False,
    ]
    assert as_list(result.values) == expected
    assert not result.invalid.any()


def test_unknown_boolean_spellings_are_invalid():
    result = coerce_column(cells(" yes ", "maybe", None, "", "-"), column(ColumnType.BOOLEAN))
    assert as_list(result.values) == [True, None, None, None, None]
    assert result.invalid.tolist() == [False, True, False, False, True]


def test_text_columns_are_trimmed_and_never_invalid():
    result = coerce_column(cells("  Madrid ", "a  b", "   ", None), column(ColumnType.STRING))
    assert result.values.dtype == "str"
    assert as_list(result.values)[:2] == ["Madrid", "a  b"]
    assert result.values.isna().tolist() == [False, False, True, True]
    assert not result.invalid.any()


def test_emails_are_lowercased():
    result = coerce_column(cells(" Ana.Perez@Example.COM "), column(ColumnType.EMAIL))
    assert as_list(result.values) == ["ana.perez@example.com"]


def test_columns_read_from_a_multi_chunk_arrow_table_coerce_like_plain_ones() -> None:
    """Parquet hands back chunked columns; every parser must accept them."""
    import pyarrow as pa

    from imports_pipeline.templates.model import TemplateColumn

    chunked = pa.chunked_array([["01/03/2026", "1,5"], ["13/03/2026", None]])
    raw = chunked.to_pandas()
    dates = coerce_column(raw, TemplateColumn(key="d", label="D", type="date"))
    assert [str(v.date()) if v is not pd.NaT else None for v in dates.values] == [
        "2026-03-01",
        None,
        "2026-03-13",
        None,
    ]
    numbers = coerce_column(
        raw, TemplateColumn(key="n", label="N", type="number"), numeric_locale="es_ES"
    )
    assert numbers.values.tolist()[1] == 1.5 and numbers.invalid.tolist() == [
        True,
        False,
        True,
        False,
    ]
