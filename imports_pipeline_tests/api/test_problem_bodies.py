"""Every error body carries RFC 7807's type, title, status and instance beside the contract's
detail and code (Fleetio, issue 9); a query parameter an endpoint does not know is a 422."""

from __future__ import annotations

import pytest

from imports_pipeline_tests.api.conftest import contract_body


def test_request_validation_errors_are_problems_that_keep_fastapis_detail_list(any_db_api):
    api = any_db_api
    response = api.client.get("/v2/imports/sessions?size=0", headers=api.headers)
    assert response.status_code == 422
    body = contract_body(response)
    assert body["code"] == "INVALID_REQUEST"
    assert [item["loc"] for item in body["detail"]] == [["query", "size"]]


def test_a_wrong_method_is_a_problem(any_db_api):
    api = any_db_api
    response = api.client.delete("/v2/imports/sessions", headers=api.headers)
    assert response.status_code == 405
    assert contract_body(response) == {"detail": "Method Not Allowed", "code": "METHOD_NOT_ALLOWED"}


@pytest.mark.parametrize(
    ("path", "unknown", "known"),
    [
        ("/v2/imports/sessions?stauts=failed", ["stauts"], "status"),
        ("/v2/imports/sessions?status=parsed&pagee=2&Size=5", ["Size", "pagee"], "page"),
        ("/v2/imports/templates?verbose=1", ["verbose"], "none"),
        ("/v2/imports/templates/logistics_requests?lang=es", ["lang"], "none"),
    ],
)
def test_an_unknown_query_parameter_is_refused_naming_it(any_db_api, path, unknown, known):
    api = any_db_api
    response = api.client.get(path, headers=api.headers)
    assert response.status_code == 422
    body = contract_body(response)
    assert [item["loc"] for item in body["detail"]] == [["query", name] for name in unknown]
    assert all(item["type"] == "extra_forbidden" for item in body["detail"])
    assert known in body["detail"][0]["msg"]


def test_known_query_parameters_still_work_on_every_kind_of_route(any_db_api):
    api = any_db_api
    import_id = api.created_id()
    listed = api.client.get(
        "/v2/imports/sessions?status=parsed&page=1&size=5&sort=created_at&include_expired=false",
        headers=api.headers,
    )
    assert (listed.status_code, listed.json()["total"]) == (200, 1)
    rows = api.client.get(
        f"/v2/imports/{import_id}/rows?page=1&page_size=10&errors_only=true", headers=api.headers
    )
    assert rows.status_code == 409  # not validated yet: the parameters themselves were accepted
    assert rows.json()["code"] == "INVALID_STATE"
