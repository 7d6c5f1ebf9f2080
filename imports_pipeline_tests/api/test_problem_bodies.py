"""Every error body carries RFC 7807's type, title, status and instance beside the contract's
detail and code (Fleetio, issue 9); a query parameter an endpoint does not know is a 422."""

from __future__ import annotations

import re

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
    assert response.headers["allow"] == "GET, POST"  # both routes of the path, not the first
    rows = api.client.options("/v2/imports/some-id/rows", headers=api.headers)
    assert (rows.status_code, rows.headers["allow"]) == (405, "GET, PATCH")


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


def test_an_unknown_form_field_is_refused_naming_it(any_db_api):
    """Found by schemathesis (issue 14): a misspelt create field imported with the default."""
    api = any_db_api
    response = api.create(numeric_local="es_ES", colour="blue")
    assert response.status_code == 422
    body = contract_body(response)
    assert [item["loc"] for item in body["detail"]] == [
        ["body", "colour"],
        ["body", "numeric_local"],
    ]
    assert "numeric_locale" in body["detail"][0]["msg"]
    assert api.client.get("/v2/imports/sessions", headers=api.headers).json()["total"] == 0


@pytest.mark.parametrize(
    ("file_name", "status"),
    [("report.pdf", 415), ("v1.2 report", 415), ("export.CSV", 201), ("export", 201)],
)
def test_an_async_file_name_follows_the_schemas_pattern(any_db_api, file_name, status):
    """Found by schemathesis (issue 14): the schema now declares which names are read, and the
    server refuses exactly the others."""
    api = any_db_api
    response = api.client.post(
        "/v2/imports/sessions",
        headers=api.headers,
        data={"template_id": "logistics_requests", "upload_mode": "async", "file_name": file_name},
    )
    assert response.status_code == status, response.text
    schema = api.client.get("/openapi.json").json()["components"]["schemas"]
    form = next(s for s in schema.values() if "upload_mode" in s.get("properties", {}))
    pattern = form["properties"]["file_name"]["pattern"]
    assert (re.fullmatch(pattern, file_name) is not None) == (status == 201)
    assert form["additionalProperties"] is False


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


def test_a_body_that_is_not_utf8_json_is_a_400_that_says_so(any_db_api):
    api = any_db_api
    import_id = api.created_id()
    response = api.client.post(
        f"/v2/imports/{import_id}/submit",
        headers={**api.headers, "Content-Type": "application/json"},
        content=b"\xff\xfe\x12",
    )
    assert response.status_code == 400
    assert contract_body(response) == {
        "detail": "The request body could not be read as JSON (it must be UTF-8 text)",
        "code": "INVALID_BODY",
    }


def test_the_schema_declares_the_statuses_the_endpoints_answer(api):
    """Found by schemathesis (issue 14): 404 on templates and options, 404/415 on create, 400
    on unreadable bodies, and business 422 bodies, which are not FastAPI's parameter list."""
    spec = api.client.get("/openapi.json").json()
    paths = spec["paths"]
    declared = {
        ("/v2/imports/sessions", "post"): {"400", "404", "413", "415", "422"},
        ("/v2/imports/templates/{template_id}", "get"): {"404", "422"},
        ("/v2/imports/options/{source_key}", "get"): {"404", "422"},
        ("/v2/imports/{import_id}/submit", "post"): {"400", "404", "409", "422"},
        ("/v2/imports/uploads/{token}", "put"): {"403", "409", "410", "413"},
    }
    for (path, method), statuses in declared.items():
        assert statuses <= set(paths[path][method]["responses"]), (path, method)
    error_body = spec["components"]["schemas"]["ErrorBody"]["properties"]["detail"]
    assert {option.get("type") for option in error_body["anyOf"]} == {"string", "array"}
    unprocessable = paths["/v2/imports/sessions"]["get"]["responses"]["422"]["content"]
    assert unprocessable["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}


@pytest.mark.parametrize("bound", ["0.5", "1700000000", "-1.175494351e-38"])
def test_a_number_is_not_taken_as_a_timestamp_filter(api, bound):
    """Found by schemathesis (issue 14): pydantic read updated_at_lte=0.5 as 1970."""
    response = api.client.get(f"/v2/imports/sessions?updated_at_lte={bound}", headers=api.headers)
    assert response.status_code == 422
    [error] = contract_body(response)["detail"]
    assert error["loc"] == ["query", "updated_at_lte"] and "ISO 8601" in error["msg"]
    iso = api.client.get(
        "/v2/imports/sessions?updated_at_lte=2026-04-08T14:05:12Z", headers=api.headers
    )
    assert iso.status_code == 200


def test_naive_timestamps_are_declared_as_they_are_sent(api):
    """The contract sends naive UTC (2026-04-08T14:05:12); RFC 3339's date-time needs a zone, so the
    schema declares the shape instead, and the values match it."""
    import re

    schema = api.client.get("/openapi.json").json()["components"]["schemas"]["ImportSession"]
    created = schema["properties"]["created_at"]
    assert created.get("format") is None and created["type"] == "string"
    import_id = api.created_id()
    body = api.client.get(f"/v2/imports/{import_id}/status", headers=api.headers).json()
    assert re.fullmatch(created["pattern"], body["created_at"])
