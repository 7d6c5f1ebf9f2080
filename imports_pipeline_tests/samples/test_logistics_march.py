"""The bundled example keys its trips by ``Reference``: importing a corrected copy updates the
trips it changes instead of adding them again. Real HTTP through the app, every phase run into a
real SQLite destination."""

from __future__ import annotations

import csv
import io

from imports_pipeline.processing import ImportProcessing
from imports_pipeline.vocabulary import PHASE_ORDER
from imports_pipeline_tests.api.conftest import ORG, Api, api, clock  # noqa: F401 (fixtures)
from imports_pipeline_tests.service import SAMPLE_CSV, SAMPLE_MAPPING, SEED_MAPPING
from imports_pipeline_tests.submitted import destination_rows

FIXES = {17: 128.4, 203: 15.0}
"""The sample's two bad distances ("128.4 km?", "-15,0"), patched in the first import."""
CHANGED = {0: ("Distance", "130,0"), 5: ("Distance", "99,9"), 10: ("Client", "ACME Iberia")}
"""What the corrected copy changes, by row index: a few values, same references."""


def sample_records() -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(SAMPLE_CSV.read_text(encoding="utf-8")), delimiter=";"))
    return rows[0], rows[1:]


def corrected_copy() -> bytes:
    """The sample with its bad distances fixed and the CHANGED cells rewritten, same order."""
    header, records = sample_records()
    for index, value in FIXES.items():
        records[index][header.index("Distance")] = str(value).replace(".", ",")
    for index, (column, value) in CHANGED.items():
        records[index][header.index(column)] = value
    text = io.StringIO()
    csv.writer(text, delimiter=";", lineterminator="\r\n").writerows([header, *records])
    return text.getvalue().encode("utf-8")


def imported(api: Api, content: bytes, mapping: dict[str, str] | None = None) -> str:
    """One import of ``content`` over HTTP with the suggested (or given) mapping, clean before
    submit, then processed."""
    import_id = api.created_id(content=content)
    if mapping is None:
        suggested = api.client.post(
            f"/v2/imports/{import_id}/mapping/suggest", headers=api.headers, json={}
        )
        mapping = suggested.json()["mapping"]
    validated = api.client.post(
        f"/v2/imports/{import_id}/validate", headers=api.headers, json={"mapping": mapping}
    ).json()
    if validated["error_rows"]:
        corrections = [
            {"row_index": index, "column": "distance_km", "value": value}
            for index, value in FIXES.items()
        ]
        patched = api.client.patch(
            f"/v2/imports/{import_id}/rows", headers=api.headers, json={"corrections": corrections}
        )
        assert patched.status_code == 200, patched.text
    submitted = api.client.post(
        f"/v2/imports/{import_id}/submit", headers=api.headers, json={"ignore_errors": False}
    )
    assert submitted.status_code == 200, submitted.text
    processing = ImportProcessing(api.service, api.client.app.state.destination, import_id)
    for phase in PHASE_ORDER:
        getattr(processing, phase.value)()
    return import_id


def test_the_sample_has_a_unique_reference_per_row_that_the_suggestion_maps_to_the_key(api: Api):
    header, records = sample_records()
    references = [record[header.index("Reference")] for record in records]
    assert len(records) == 240 and len(set(references)) == 240
    import_id = api.created_id()
    suggested = api.client.post(
        f"/v2/imports/{import_id}/mapping/suggest", headers=api.headers, json={}
    ).json()
    assert suggested["mapping"] == SAMPLE_MAPPING
    assert api.service.catalog.get("logistics_requests").key_columns == ("reference",)


def test_importing_a_corrected_copy_updates_the_changed_trips(api: Api):
    destination = api.client.app.state.destination
    first = imported(api, SAMPLE_CSV.read_bytes())
    before = {row[0]: row for row in destination_rows(destination, api.service, ORG)}
    assert len(before) == 240
    assert before["TRIP-0018"][3] == 128.4  # the patched row, keyed by its reference

    second = imported(api, corrected_copy())

    after = {row[0]: row for row in destination_rows(destination, api.service, ORG)}
    assert sorted(after) == sorted(before)  # 240 rows, the same trips
    assert (after["TRIP-0001"][3], after["TRIP-0006"][3], after["TRIP-0011"][2]) == (
        130.0,
        99.9,
        "ACME Iberia",
    )
    changed = {f"TRIP-{index + 1:04d}" for index in CHANGED}
    assert {key for key, row in after.items() if row[-1] == second} == changed
    assert {key: row for key, row in after.items() if key not in changed} == {
        key: row for key, row in before.items() if key not in changed
    }
    assert {row[-1] for key, row in after.items() if key not in changed} == {first}
    status = api.client.get(f"/v2/imports/{second}/status", headers=api.headers).json()
    assert status["stats"] == {"created": 0, "updated": 3, "unchanged": 237, "deleted": 0}


def test_a_mapping_without_the_key_adds_the_changed_trips_again(api: Api):
    """What the README warns about: rows keyed by a hash of all their values are new rows once a
    value changes."""
    destination = api.client.app.state.destination
    imported(api, SAMPLE_CSV.read_bytes(), mapping=SEED_MAPPING)
    imported(api, corrected_copy(), mapping=SEED_MAPPING)
    assert len(destination_rows(destination, api.service, ORG)) == 243
