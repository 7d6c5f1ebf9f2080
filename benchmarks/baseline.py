"""Baseline: what a competent hand-written pipeline does with the same CSV.

pyarrow's CSV reader (``;`` delimiter, decimal commas, column types given) →
``to_pandas()`` → a hand-written ``pandera.pandas`` schema for the same rules as
the ``logistics_requests`` template, validated lazily. Run as a child process:

    python benchmarks/baseline.py CSV OUT.json

so its peak RSS is its own.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import traceback
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pyarrow as pyarrow_lib
import pyarrow.csv as pacsv

# ISO 3166-1 alpha-2.
# fmt: off
ISO2 = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX",
    "AZ", "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ",
    "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK",
    "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM",
    "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR",
    "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS",
    "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN",
    "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN",
    "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV",
    "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ",
    "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI",
    "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
    "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC",
    "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV",
    "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR",
    "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
]
# fmt: on

# The generator also writes country names and lower-case / loose spellings that the
# template accepts through option aliases (templates/options/*.csv); listing them here
# keeps the baseline's accepted cells the same as the service's, so the failing rows
# should match exactly ("Truck (rigid)" is the average-laden rigid truck option).
COUNTRY_SPELLINGS = ["Spain", "france", "Alemania"]
VEHICLE_TYPES = [
    "Van <3.5t",
    "Rigid truck 7.5-12t",
    "Articulated truck >33t",
    "van",
    "Truck (rigid)",
]
FUEL_TYPES = ["diesel", "Diesel", "petrol", "HVO", "electric", "LNG"]

SOURCE_TO_KEY = {
    "Trip Date": "trip_date",
    "Client": "client",
    "Distance": "distance_km",
    "Origin Country": "origin_country",
    "Destination Country": "destination_country",
    "Vehicle Type": "vehicle_type",
    "Load (kg)": "load_kg",
    "Fuel": "fuel_type",
    "Cost EUR": "cost_eur",
    "Reference": "reference",
}

COLUMN_TYPES = {
    # Read as text: one "31/02/2026" makes a typed date column fail the whole read.
    # ``read`` parses it with pd.to_datetime(format=..., errors="coerce") instead.
    "Trip Date": pyarrow_lib.string(),
    "Client": pyarrow_lib.string(),
    "Distance": pyarrow_lib.float64(),
    "Origin Country": pyarrow_lib.string(),
    "Destination Country": pyarrow_lib.string(),
    "Vehicle Type": pyarrow_lib.string(),
    "Load (kg)": pyarrow_lib.float64(),
    "Fuel": pyarrow_lib.string(),
    "Cost EUR": pyarrow_lib.float64(),
    "Reference": pyarrow_lib.string(),
}


DATE_FORMAT = "%Y-%m-%d"
DATE_DTYPE = "datetime64[us]"
"""What pd.to_datetime returns under pandas 3. Not pandera ``coerce=True``: for a column
with any bad date, pandera finds the failure cases by calling ``pd.to_datetime`` once per
cell (~0.3 ms each, twice), minutes at 1M rows; no one would ship that."""


def build_schema() -> pa.DataFrameSchema:
    countries = ISO2 + COUNTRY_SPELLINGS
    return pa.DataFrameSchema(
        {
            "trip_date": pa.Column(DATE_DTYPE, nullable=False),
            "client": pa.Column(str, nullable=False),
            "distance_km": pa.Column(float, pa.Check.ge(0), nullable=False),
            "origin_country": pa.Column(str, pa.Check.isin(countries), nullable=True),
            "destination_country": pa.Column(str, pa.Check.isin(countries), nullable=True),
            "vehicle_type": pa.Column(str, pa.Check.isin(VEHICLE_TYPES), nullable=True),
            "load_kg": pa.Column(float, pa.Check.ge(0), nullable=True),
            "fuel_type": pa.Column(str, pa.Check.isin(FUEL_TYPES), nullable=True),
            "cost_eur": pa.Column(float, pa.Check.ge(0), nullable=True),
            # exclude_first: like the service, the first copy of a key is fine, later copies are
            # errors.
            "reference": pa.Column(
                str,
                pa.Check.str_length(max_value=64),
                unique=True,
                report_duplicates="exclude_first",
                nullable=False,
            ),
        },
        strict=False,
    )


def read(csv_path: Path):
    """pyarrow read → pandas (+ vectorised date parse); returns (frame, how decimals were
    handled)."""
    parse = pacsv.ParseOptions(delimiter=";")
    common = {"column_types": COLUMN_TYPES, "strings_can_be_null": True}
    try:
        convert = pacsv.ConvertOptions(decimal_point=",", **common)
        mode = "ConvertOptions(decimal_point=',')"
    except TypeError:  # pyarrow without decimal_point: read text, fix commas in pandas
        convert = None
        mode = "text + str.replace (decimal_point unsupported)"
    if convert is not None:
        table = pacsv.read_csv(csv_path, parse_options=parse, convert_options=convert)
        frame = table.to_pandas()
    else:
        text_types = {name: pyarrow_lib.string() for name in COLUMN_TYPES}
        table = pacsv.read_csv(
            csv_path,
            parse_options=parse,
            convert_options=pacsv.ConvertOptions(column_types=text_types, strings_can_be_null=True),
        )
        frame = table.to_pandas()
        for name, kind in COLUMN_TYPES.items():
            if kind == pyarrow_lib.float64():
                frame[name] = frame[name].str.replace(",", ".", regex=False).pipe(_to_float)
    frame = frame.rename(columns=SOURCE_TO_KEY)
    frame["trip_date"] = pd.to_datetime(
        frame["trip_date"], format=DATE_FORMAT, errors="coerce"
    ).astype(DATE_DTYPE)
    return frame, mode


def _to_float(series):
    return pd.to_numeric(series, errors="coerce")


def run(csv_path: Path) -> dict:
    result: dict = {
        "csv": str(csv_path),
        "date_parsing": f"pd.to_datetime(format={DATE_FORMAT!r}, errors='coerce') in the read step",
    }
    schema = build_schema()
    started = time.perf_counter()
    frame, mode = read(csv_path)
    result["read_s"] = time.perf_counter() - started
    result["decimal_mode"] = mode
    result["rows"] = len(frame)
    started = time.perf_counter()
    try:
        schema.validate(frame, lazy=True)
        failures = None
    except pa.errors.SchemaErrors as errors:
        failures = errors.failure_cases
    result["validate_s"] = time.perf_counter() - started
    result["read_validate_s"] = result["read_s"] + result["validate_s"]
    if failures is None:
        result.update(failure_cases=0, failing_rows=0, failures_by_column={})
    else:
        indexed = failures.dropna(subset=["index"])
        result["failure_cases"] = len(failures)
        result["failing_rows"] = int(indexed["index"].nunique())
        result["failures_by_column"] = {
            str(k): int(v) for k, v in indexed.groupby("column")["index"].nunique().items()
        }
    result["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return result


def main() -> None:
    csv_path, out = Path(sys.argv[1]), Path(sys.argv[2])
    try:
        result = run(csv_path)
    except Exception:
        result = {
            "error": traceback.format_exc(),
            "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        }
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
