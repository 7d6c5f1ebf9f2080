"""Benchmark inputs: the logistics CSV (from ``gen_logistics.py``) and an XLSX of its first rows.

Files live in ``benchmarks/.data/`` (git-ignored) and are reused when a finished
file of the same size is already there. A file counts as finished only when its
``.meta.json`` sidecar (written last) matches the request and the file's byte size.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / ".data"
GENERATOR_ENV = "IMPORTS_BENCH_GENERATOR"
KNOWN_MAPPING = {
    "trip_date": "Trip Date",
    "client": "Client",
    "distance_km": "Distance",
    "origin_country": "Origin Country",
    "destination_country": "Destination Country",
    "vehicle_type": "Vehicle Type",
    "load_kg": "Load (kg)",
    "fuel_type": "Fuel",
    "cost_eur": "Cost EUR",
    "reference": "Reference",
}
"""Template column → the generator's header (the 240-row example has the first five); the benchmarks
fall back to it when the suggested mapping misses or mis-maps a column, and say so."""


def generator_path() -> Path:
    """``IMPORTS_BENCH_GENERATOR``, or the copy beside this file (``gen_logistics.py``)."""
    override = os.environ.get(GENERATOR_ENV)
    if override:
        return Path(override).expanduser().resolve()
    return Path(__file__).resolve().with_name("gen_logistics.py")


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".meta.json")


def _is_current(path: Path, expected: dict) -> bool:
    meta = _meta_path(path)
    if not path.exists() or not meta.exists():
        return False
    try:
        recorded = json.loads(meta.read_text())
    except ValueError:
        return False
    return recorded.get("size_bytes") == path.stat().st_size and all(
        recorded.get(k) == v for k, v in expected.items()
    )


def _finish(temporary: Path, path: Path, expected: dict) -> None:
    os.replace(temporary, path)
    _meta_path(path).write_text(
        json.dumps({**expected, "size_bytes": path.stat().st_size}, indent=2)
    )


def ensure_csv(rows: int, log=print) -> Path:
    """The ``rows``-row es_ES logistics CSV, generated once per size."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / f"logistics_{rows}.csv"
    expected = {"kind": "csv", "rows": rows, "locale": "es_ES"}
    if _is_current(path, expected):
        log(f"reusing {path.relative_to(DATA_DIR.parent.parent)}")
        return path
    generator = generator_path()
    if not generator.exists():
        raise SystemExit(f"generator not found: {generator} (set {GENERATOR_ENV} to its path)")
    log(f"generating {rows:,}-row CSV with {generator} ...")
    temporary = path.with_name(f".{path.name}.tmp")
    subprocess.run(
        [sys.executable, str(generator), str(rows), str(temporary), "--locale", "es_ES"], check=True
    )
    _finish(temporary, path, expected)
    return path


def ensure_changed_csv(rows: int, log=print) -> Path:
    """The ``rows``-row CSV with every client renamed ("Client 0042" → "Client 0042 (2)"): same
    keys, every row changed.

    Rows that fail validation in the original (an empty client among them) fail the
    same way here, so an import of it updates exactly the rows the original created.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv

    source = ensure_csv(rows, log)
    path = DATA_DIR / f"logistics_{rows}_changed.csv"
    expected = {
        "kind": "csv-changed",
        "rows": rows,
        "locale": "es_ES",
        "source_size_bytes": source.stat().st_size,
    }
    if _is_current(path, expected):
        log(f"reusing {path.relative_to(DATA_DIR.parent.parent)}")
        return path
    log(f"deriving {path.name} from {source.name} ...")
    table = pa_csv.read_csv(
        source,
        parse_options=pa_csv.ParseOptions(delimiter=";"),
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.string() for name in KNOWN_MAPPING.values()}
        ),
    )
    client = table.column("Client")
    renamed = pc.if_else(
        pc.equal(client, ""), client, pc.binary_join_element_wise(client, " (2)", "")
    )
    table = table.set_column(table.column_names.index("Client"), "Client", renamed)
    temporary = path.with_name(f".{path.name}.tmp")
    pa_csv.write_csv(table, temporary, pa_csv.WriteOptions(delimiter=";"))
    _finish(temporary, path, expected)
    return path


def _number(text: str):
    """es_ES decimal comma → float; cells that are not numbers (``n/a``) stay text, as a user's
    sheet would."""
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text or None


def _date(text: str):
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return text or None


# Generator columns: Trip Date, Client, Distance, Origin, Destination, Vehicle, Load (kg), Fuel,
# Cost EUR, Reference
_CELL_CONVERTERS = [_date, None, _number, None, None, None, _number, None, _number, None]


def ensure_xlsx(csv_path: Path, rows: int, log=print) -> Path:
    """An XLSX of the first ``rows`` data rows of ``csv_path``: real numbers and real dates, bad
    cells as text."""
    import openpyxl

    path = DATA_DIR / f"logistics_{rows}.xlsx"
    expected = {
        "kind": "xlsx",
        "rows": rows,
        "source": csv_path.name,
        "source_size_bytes": csv_path.stat().st_size,
    }
    if _is_current(path, expected):
        log(f"reusing {path.relative_to(DATA_DIR.parent.parent)}")
        return path
    log(f"writing {rows:,}-row XLSX from {csv_path.name} (openpyxl write_only) ...")
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Trips")
    with open(csv_path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter=";")
        sheet.append(next(reader))
        for count, record in enumerate(reader):
            if count >= rows:
                break
            sheet.append(
                [
                    convert(cell) if convert else (cell or None)
                    for convert, cell in zip(_CELL_CONVERTERS, record, strict=True)
                ]
            )
    temporary = path.with_name(f".{path.stem}.tmp.xlsx")
    workbook.save(temporary)
    _finish(temporary, path, expected)
    return path
