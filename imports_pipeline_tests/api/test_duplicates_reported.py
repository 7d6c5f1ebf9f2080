"""Validate tells what each duplicate handling will leave out, so the counts a person reviews are
the counts processing ends with (issue 14), over HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from imports_pipeline.processing import ImportProcessing
from imports_pipeline.vocabulary import PHASE_ORDER
from imports_pipeline_tests.service import SEED_MAPPING

HEADER = "Trip Date;Client;Distance;Origin Country;Destination Country;Reference"
ROWS = [
    "2026-03-01;ACME;10,5;ES;FR;R1",
    "2026-03-02;ACME;11,5;ES;FR;R2",
    "2026-03-03;ACME;12,5;ES;FR;R2",  # a later copy of R2: validation flags it
    "2026-03-04;ACME;abc;ES;FR;R3",  # an error of its own
    "2026-03-05;Beta;13,5;ES;FR;",  # no key: keyed by its values...
    "2026-03-05;Beta;13,5;ES;FR;",  # ...so this identical row repeats it, and validation is silent
]


@pytest.mark.parametrize(
    ("policy", "left_out", "processed"),
    [("ignore_all", {"rows": 3, "keys": 2}, 1), ("use_first", {"rows": 1, "keys": 1}, 3)],
)
def test_validate_reports_what_processing_will_leave_out(any_db_api, policy, left_out, processed):
    api = any_db_api
    content = ("\n".join([HEADER, *ROWS]) + "\n").encode()
    import_id = api.created_id(content=content)
    mapping = {**SEED_MAPPING, "reference": "Reference"}
    validated = api.client.post(
        f"/v2/imports/{import_id}/validate", headers=api.headers, json={"mapping": mapping}
    ).json()
    assert (validated["valid_rows"], validated["error_rows"]) == (4, 2)
    assert validated["left_out_by_duplicate_handling"][policy] == left_out

    submitted = api.client.post(
        f"/v2/imports/{import_id}/submit",
        headers=api.headers,
        json={"ignore_errors": True, "duplicate_handling": policy},
    ).json()
    processing = ImportProcessing(api.service, api.client.app.state.destination, import_id)
    for phase in PHASE_ORDER:
        getattr(processing, phase.value)()
    status = api.client.get(f"/v2/imports/{import_id}/status", headers=api.headers).json()
    assert status["processed_rows"] == submitted["rows_submitted"] - left_out["rows"] == processed
