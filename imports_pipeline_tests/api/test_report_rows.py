"""Error reports through the API name the spreadsheet row a person sees, below blank rows and
multi-line cells (the engine's counting is in engine/test_reading_rows.py)."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from imports_pipeline_tests.engine.test_reading_rows import AWKWARD_CSV


def test_the_error_report_names_the_rows_the_user_sees(api):
    """Through the API: the CSV, JSON and XLSX reports and the rows endpoint agree."""
    import_id = api.created_id(content=AWKWARD_CSV.encode(), name="trips.csv")
    mapping = {
        "trip_date": "Fecha",
        "client": "Cliente",
        "distance_km": "Km",
        "origin_country": "Origen",
        "destination_country": "Destino",
    }
    validated = api.client.post(
        f"/v2/imports/{import_id}/validate", headers=api.headers, json={"mapping": mapping}
    )
    assert validated.status_code == 200, validated.text
    links = api.client.get(f"/v2/imports/{import_id}/status", headers=api.headers).json()[
        "processing"
    ]
    as_csv = api.client.get(links["_errors_csv_url"], headers=api.headers).content
    rows = list(csv.DictReader(io.StringIO(as_csv.decode("utf-8-sig"))))
    assert [(r["row_index"], r["spreadsheet_row"]) for r in rows] == [
        ("1", "5"),
        ("2", "6"),
        ("3", "8"),
    ]
    as_xlsx = api.client.get(links["_errors_xlsx_url"], headers=api.headers).content
    sheet = load_workbook(io.BytesIO(as_xlsx))["errors"]
    assert [(r[0].value, r[1].value) for r in sheet.iter_rows(min_row=2)] == [
        (1, 5),
        (2, 6),
        (3, 8),
    ]
    review = api.client.get(f"/v2/imports/{import_id}/rows", headers=api.headers).json()["rows"]
    assert [r["spreadsheet_row"] for r in review] == [2, 5, 6, 8]
