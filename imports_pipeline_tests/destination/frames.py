"""Submitted datasets built by hand, typed exactly as the engine hands them over, and readers of the
destination."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from imports_pipeline.destination import destination_tables
from imports_pipeline.templates.model import Template

TRIPS: dict[str, dict[str, Any]] = {
    "REF-00000001": {
        "trip_date": "2026-03-02",
        "client": "Transportes Norte",
        "distance_km": 412.5,
        "origin_country": "ES",
        "destination_country": "FR",
        "vehicle_type": "articulated_truck",
        "load_kg": 18000.0,
        "fuel_type": "diesel",
        "cost_eur": 640.0,
    },
    "REF-00000002": {
        "trip_date": "2026-03-03",
        "client": "Frutas Levante",
        "distance_km": 87.0,
        "origin_country": "ES",
        "destination_country": "ES",
        "vehicle_type": "rigid_truck",
        "load_kg": None,
        "fuel_type": None,
        "cost_eur": None,
    },
    "REF-00000003": {
        "trip_date": "2026-03-05",
        "client": "Lusitania Cargo",
        "distance_km": 1204.25,
        "origin_country": "PT",
        "destination_country": "DE",
        "vehicle_type": None,
        "load_kg": 24000.0,
        "fuel_type": "lng",
        "cost_eur": 1890.5,
    },
    "REF-00000004": {
        "trip_date": "2026-03-09",
        "client": "Transportes Norte",
        "distance_km": 0.1 + 0.2,
        "origin_country": "FR",
        "destination_country": "ES",
        "vehicle_type": "van",
        "load_kg": 950.0,
        "fuel_type": "electricity",
        "cost_eur": 120.0,
    },
}


def trip(reference: str | None, **changes: Any) -> dict[str, Any]:
    """A realistic trip row; ``reference=None`` keeps the values of REF-00000001 without the key."""
    return {**TRIPS[reference or "REF-00000001"], "reference": reference, **changes}


def submitted(template: Template, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """``row_index`` + one column per template column, in the engine's dtypes (Float64,
    datetime64[ms], str)."""
    dtypes = {
        "date": "datetime64[ms]",
        "datetime": "datetime64[ms]",
        "number": "Float64",
        "integer": "Int64",
        "boolean": "boolean",
    }
    frame = pd.DataFrame({"row_index": np.arange(len(rows), dtype="int64")})
    for column in template.columns:
        values = [row.get(column.key) for row in rows]
        frame[column.key] = pd.Series(values, dtype=dtypes.get(column.type.value, "str"))
    return frame


def stored_rows(engine: sa.Engine, template: Template) -> dict[tuple[str, str], dict[str, Any]]:
    """Every destination row by (organization, key): template values (dates ISO) and the import that
    wrote it."""
    rows = destination_tables(template).rows
    with engine.connect() as connection:
        records = connection.execute(sa.select(rows)).mappings().all()
    return {
        (record["organization_id"], record["row_key"]): {
            **{
                key: record[key].isoformat() if isinstance(record[key], date) else record[key]
                for key in template.column_keys
            },
            "import_id": record["import_id"],
        }
        for record in records
    }


def full_rows(engine: sa.Engine, template: Template) -> list[dict[str, Any]]:
    """Every column of every destination row, lineage and ``updated_at`` included: for exact
    before/after checks."""
    rows = destination_tables(template).rows
    with engine.connect() as connection:
        return [
            dict(row)
            for row in connection.execute(
                sa.select(rows).order_by(rows.c.organization_id, rows.c.row_key)
            ).mappings()
        ]


def expected(import_id: str, reference: str | None = None, **changes: Any) -> dict[str, Any]:
    """What ``stored_rows`` holds for ``trip(reference, **changes)`` written by ``import_id``."""
    return {**trip(reference, **changes), "import_id": import_id}
