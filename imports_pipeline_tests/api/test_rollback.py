"""``POST /v2/imports/{import_id}/rollback`` over real HTTP, against the destination Dagster's runs
write."""

from __future__ import annotations

from imports_pipeline.processing import ImportProcessing
from imports_pipeline.vocabulary import PHASE_ORDER, Actor
from imports_pipeline_tests.api.conftest import ORG, USER, contract_body
from imports_pipeline_tests.submitted import destination_rows, submit_rows, trip

ACTOR = Actor(organization_id=ORG, user_id=USER)


def processed(api, lines: list[str]) -> str:
    """An import submitted and processed into the app's destination (the session store's database by
    default)."""
    import_id = submit_rows(api.service, lines, ignore_errors=False, actor=ACTOR)
    processing = ImportProcessing(api.service, api.client.app.state.destination, import_id)
    for phase in PHASE_ORDER:
        getattr(processing, phase)()
    return import_id


def test_rollback_restores_the_destination_and_answers_the_counts(any_db_api):
    api = any_db_api
    destination = api.client.app.state.destination
    assert (
        destination is api.service.repository.engine
    )  # no IMPORTS_DESTINATION_URL: the session store's database
    first = processed(api, ["R1;2026-03-01;ACME;10,5;ES;FR"])
    second = processed(api, ["R1;2026-03-01;ACME;11;ES;FR", "R5;2026-03-06;Rhein;50;FR;ES"])

    response = api.client.post(f"/v2/imports/{second}/rollback", headers=api.headers)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "import_id": second,
        "processing_status": "rolled_back",
        "rows_removed": 1,
        "rows_restored": 1,
    }
    assert destination_rows(destination, api.service, ORG) == [
        trip("R1", 1, "ACME", 10.5, "ES", "FR", first)
    ]
    status = api.client.get(f"/v2/imports/{second}/status", headers=api.headers).json()
    assert (status["processing_status"], status["phases"][-1]["phase"]) == (
        "rolled_back",
        "rollback",
    )

    again = api.client.post(f"/v2/imports/{second}/rollback", headers=api.headers)
    assert again.status_code == 409
    assert contract_body(again) == {
        "detail": f"Import {second} is already rolled back",
        "code": "INVALID_STATE",
    }


def test_rollback_is_refused_with_the_later_imports(api):
    first = processed(api, ["R1;2026-03-01;ACME;10,5;ES;FR"])
    second = processed(api, ["R1;2026-03-01;ACME;11;ES;FR"])

    response = api.client.post(f"/v2/imports/{first}/rollback", headers=api.headers)

    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["later_imports"]) == ("ROLLBACK_CONFLICT", [second])
    assert second in body["detail"]
    status = api.client.get(f"/v2/imports/{first}/status", headers=api.headers).json()
    assert status["processing_status"] == "completed"


def test_rollback_of_another_organizations_or_an_unprocessed_import(api):
    import_id = processed(api, ["R1;2026-03-01;ACME;10,5;ES;FR"])
    other = api.client.post(f"/v2/imports/{import_id}/rollback", headers=api.other_headers)
    assert (other.status_code, other.json()["code"]) == (404, "IMPORT_NOT_FOUND")
    assert len(destination_rows(api.client.app.state.destination, api.service, ORG)) == 1

    created = api.created_id()
    refused = api.client.post(f"/v2/imports/{created}/rollback", headers=api.headers)
    assert refused.status_code == 409
    assert contract_body(refused) == {
        "detail": (
            f"Cannot roll back import {created} while its processing is not started "
            "(needs: completed, partially_completed)"
        ),
        "code": "INVALID_STATE",
    }
