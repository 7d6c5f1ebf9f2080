"""Error bodies: FastAPI's 422 for bad parameters, the contract's {detail, code} for everything
else."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from imports_pipeline_tests.api.conftest import build_api, contract_body
from imports_pipeline_tests.service import SAMPLE_CSV, SEED_MAPPING

PATCH = {"corrections": [{"row_index": 17, "column": "distance_km", "value": 128.4}]}
SESSION_CALLS = [
    ("POST", "mapping/suggest", {}),
    ("POST", "unique-values", {"mapping": SEED_MAPPING}),
    ("POST", "validate", {"mapping": SEED_MAPPING}),
    ("GET", "rows", None),
    ("PATCH", "rows", PATCH),
    ("POST", "submit", {"ignore_errors": True}),
    ("GET", "status", None),
    ("GET", "files/upload", None),
    ("GET", "files/errors.csv", None),
]


def call(api, method, import_id, step, body, headers=None):
    return api.client.request(
        method, f"/v2/imports/{import_id}/{step}", headers=headers or api.headers, json=body
    )


def test_an_unknown_status_filter_answers_fastapis_422(api):
    response = api.client.get("/v2/imports/sessions?status=bogus", headers=api.headers)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["msg"], error["type"]) == (
        ["query", "status"],
        "value is not a valid enumeration member",
        "type_error.enum",
    )
    assert "validated" in error["ctx"]["expected"]
    too_big = api.client.get("/v2/imports/sessions?size=101", headers=api.headers)
    assert too_big.status_code == 422 and too_big.json()["detail"][0]["loc"] == ["query", "size"]


@pytest.mark.parametrize(("method", "step", "body"), SESSION_CALLS)
def test_another_organizations_session_does_not_exist(api, method, step, body):
    import_id = api.created_id()
    call(api, "POST", import_id, "validate", {"mapping": SEED_MAPPING})
    response = call(api, method, import_id, step, body, headers=api.other_headers)
    assert response.status_code == 404
    assert contract_body(response) == {
        "detail": f"Import session {import_id} not found",
        "code": "IMPORT_NOT_FOUND",
    }


def test_an_expired_session_answers_410(api, clock):
    import_id = api.created_id()
    clock.now += timedelta(hours=24)
    response = call(api, "POST", import_id, "validate", {"mapping": SEED_MAPPING})
    assert response.status_code == 410 and response.json()["code"] == "IMPORT_EXPIRED"
    status = call(api, "GET", import_id, "status", None).json()
    assert status["status"] == "expired"


def test_steps_out_of_order_answer_409(api):
    import_id = api.created_id()
    for method, step, body in [
        ("GET", "rows", None),
        ("PATCH", "rows", PATCH),
        ("POST", "submit", {}),
        ("GET", "files/errors.csv", None),
    ]:
        response = call(api, method, import_id, step, body)
        assert (response.status_code, response.json()["code"]) == (409, "INVALID_STATE"), step
    call(api, "POST", import_id, "validate", {"mapping": SEED_MAPPING})
    call(api, "POST", import_id, "submit", {"ignore_errors": True})
    again = call(api, "PATCH", import_id, "rows", PATCH)
    assert again.status_code == 409 and "already submitted" in again.json()["detail"]


def test_bad_corrections_and_mappings_answer_422_naming_the_problem(api):
    import_id = api.created_id()
    call(api, "POST", import_id, "validate", {"mapping": SEED_MAPPING})
    bad_row = call(
        api,
        "PATCH",
        import_id,
        "rows",
        {"corrections": [{"row_index": 240, "column": "distance_km", "value": 1}]},
    )
    assert bad_row.status_code == 422
    assert bad_row.json()["code"] == "INVALID_CORRECTION" and bad_row.json()["field"] == "row_index"
    assert "row_index 240 does not exist" in bad_row.json()["detail"]
    no_value = call(
        api,
        "PATCH",
        import_id,
        "rows",
        {"corrections": [{"row_index": 1, "column": "distance_km"}]},
    )
    assert no_value.status_code == 422 and no_value.json()["detail"][0]["loc"] == [
        "body",
        "corrections",
        0,
        "value",
    ]
    empty = call(api, "PATCH", import_id, "rows", {"corrections": []})
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"] == ["body", "corrections"]
    bad_mapping = call(
        api,
        "POST",
        import_id,
        "validate",
        {"mapping": {**SEED_MAPPING, "distance_km": "Kilometres"}},
    )
    assert bad_mapping.status_code == 422
    assert bad_mapping.json()["code"] == "INVALID_MAPPING" and bad_mapping.json()["fields"] == [
        "Kilometres"
    ]
    not_json = api.client.post(
        f"/v2/imports/{import_id}/validate",
        headers={**api.headers, "content-type": "application/json"},
        content=b"{",
    )
    assert not_json.status_code == 422 and not_json.json()["detail"][0]["type"] == "json_invalid"


def test_bad_uploads_answer_with_their_codes(api):
    pdf = api.create(b"%PDF-1.4", name="report.pdf")
    assert (pdf.status_code, pdf.json()["code"]) == (415, "UNSUPPORTED_FILE_TYPE")
    template = api.create(template_id="nope")
    assert (template.status_code, template.json()["code"]) == (404, "TEMPLATE_NOT_FOUND")
    empty = api.create(b"", name="empty.csv")
    assert (empty.status_code, empty.json()["code"]) == (422, "EMPTY_FILE")
    locale = api.create(numeric_locale="xx_XX")
    assert (locale.status_code, locale.json()["code"]) == (422, "UNSUPPORTED_LOCALE")
    no_file = api.client.post(
        "/v2/imports/sessions", headers=api.headers, data={"template_id": "logistics_requests"}
    )
    assert no_file.status_code == 422 and no_file.json()["detail"][0]["loc"] == [
        "body",
        "upload_file",
    ]


def test_unknown_paths_and_methods_keep_the_error_shape(api):
    missing = api.client.get("/v2/nothing", headers=api.headers)
    assert contract_body(missing) == {"detail": "Not Found", "code": "NOT_FOUND"}
    wrong_method = api.client.delete("/v2/imports/sessions", headers=api.headers)
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "METHOD_NOT_ALLOWED")


def test_an_unexpected_exception_is_a_generic_500_and_is_logged(api, monkeypatch, caplog):
    def explode(*_args, **_kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(api.service, "list_sessions", explode)
    client = TestClient(api.client.app, raise_server_exceptions=False)
    response = client.get("/v2/imports/sessions", headers=api.headers)
    assert response.status_code == 500
    assert contract_body(response) == {
        "detail": "Internal server error",
        "code": "INTERNAL_ERROR",
    }
    assert "secret internal detail" in caplog.text


@pytest.fixture
def small_limit_api(tmp_path, clock):
    yield from build_api(
        f"sqlite:///{tmp_path / 'imports.db'}", tmp_path, clock, max_upload_bytes=4096
    )


def test_uploads_over_the_limit_are_refused_with_413(small_limit_api):
    api = small_limit_api
    assert len(SAMPLE_CSV.read_bytes()) > 4096
    declared = api.create()
    assert declared.status_code == 413
    assert contract_body(declared) == {
        "detail": (
            "The request body is larger than the limit of 4096 bytes (IMPORTS_MAX_UPLOAD_BYTES)"
        ),
        "code": "UPLOAD_TOO_LARGE",
        "max_bytes": 4096,
    }

    def chunks():  # no Content-Length: the limit is enforced while the body streams in
        yield b"x" * 3000
        yield b"x" * 3000

    streamed = api.client.post(
        "/v2/imports/sessions",
        headers={**api.headers, "content-type": "multipart/form-data; boundary=abc"},
        content=chunks(),
    )
    assert streamed.status_code == 413 and streamed.json()["code"] == "UPLOAD_TOO_LARGE"
    assert api.client.get("/v2/imports/sessions", headers=api.headers).json()["total"] == 0
    small = api.create(
        b"Trip Date;Client;Distance;Origin Country;Destination Country\n2026-03-01;ACME;1,5;ES;FR\n"
    )
    assert small.status_code == 201


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_nan_or_infinity_in_a_refused_body_answers_422_naming_the_field(api, literal):
    """Python's JSON parser accepts these; the 422 that echoes the input must still be valid JSON,
    not a 500."""
    import_id = api.created_id()
    headers = {**api.headers, "content-type": "application/json"}
    response = api.client.post(
        f"/v2/imports/{import_id}/unique-values", headers=headers, content=f'{{"limit": {literal}}}'
    )
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "limit"] and error["input"] in ("nan", "inf", "-inf")
    submit = api.client.post(
        f"/v2/imports/{import_id}/submit",
        headers=headers,
        content=f'{{"ignore_errors": {literal}}}',
    )
    assert submit.status_code == 422 and submit.json()["detail"][0]["loc"] == [
        "body",
        "ignore_errors",
    ]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "1e400"])
def test_a_correction_to_nan_or_infinity_answers_422_naming_the_value(api, literal):
    import_id = api.created_id()
    call(api, "POST", import_id, "validate", {"mapping": SEED_MAPPING})
    body = f'{{"corrections": [{{"row_index": 1, "column": "distance_km", "value": {literal}}}]}}'
    headers = {**api.headers, "content-type": "application/json"}
    response = api.client.patch(f"/v2/imports/{import_id}/rows", headers=headers, content=body)
    assert response.status_code == 422, response.text
    locs = [error["loc"][:4] for error in response.json()["detail"]]
    assert ["body", "corrections", 0, "value"] in locs
    assert any(
        error["msg"] == "Input should be a finite number" for error in response.json()["detail"]
    )


@pytest.mark.parametrize("page", [2**62, 10**22])
def test_a_page_number_too_large_answers_422_naming_page(api, page):
    import_id = api.created_id()
    for method, path, body in [
        ("POST", f"/v2/imports/{import_id}/validate?page={page}", {"mapping": SEED_MAPPING}),
        ("GET", f"/v2/imports/{import_id}/rows?page={page}", None),
        ("GET", f"/v2/imports/{import_id}/rows?page={page}&errors_only=true", None),
        ("GET", f"/v2/imports/sessions?page={page}", None),
    ]:
        response = api.client.request(method, path, headers=api.headers, json=body)
        assert response.status_code == 422, (path, response.text)
        [error] = response.json()["detail"]
        assert error["loc"] == ["query", "page"] and error["type"] == "less_than_equal", path
    call(api, "POST", import_id, "validate", {"mapping": SEED_MAPPING})
    last = api.client.get(
        f"/v2/imports/{import_id}/rows?page=1000000000&page_size=1000", headers=api.headers
    )
    assert last.status_code == 200 and last.json()["rows"] == []


@pytest.mark.parametrize("field", ["value", "column"])
def test_a_lone_surrogate_in_a_correction_answers_422_naming_the_field(api, field):
    """``"\\ud800"`` is valid JSON but not Unicode text; storing it would fail, so it is refused up
    front."""
    import_id = api.created_id()
    call(api, "POST", import_id, "validate", {"mapping": SEED_MAPPING})
    before = api.client.get(f"/v2/imports/{import_id}/rows", headers=api.headers).json()["rows"]
    correction = {"row_index": 1, "column": "client", "value": "ACME"}
    body = json.dumps({"corrections": [correction]}).replace(
        '"ACME"' if field == "value" else '"client"', '"A\\ud800"'
    )
    headers = {**api.headers, "content-type": "application/json"}
    response = api.client.patch(f"/v2/imports/{import_id}/rows", headers=headers, content=body)
    assert response.status_code == 422, response.text
    [error] = [e for e in response.json()["detail"] if "lone surrogate" in e["msg"]]
    assert error["loc"][:4] == ["body", "corrections", 0, field]
    assert "lone surrogate (\\ud800) at character 1" in error["msg"]
    assert (
        api.client.get(f"/v2/imports/{import_id}/rows", headers=api.headers).json()["rows"]
        == before
    )


def test_a_lone_surrogate_as_a_key_of_a_refused_object_answers_422(api):
    """The 422 echoes the whole object that failed; a key that is not Unicode text must not break
    that echo."""
    import_id = api.created_id()
    call(api, "POST", import_id, "validate", {"mapping": SEED_MAPPING})
    headers = {**api.headers, "content-type": "application/json"}
    body = '{"corrections": [{"column": "client", "value": 1, "\\ud800": 2}]}'
    response = api.client.patch(f"/v2/imports/{import_id}/rows", headers=headers, content=body)
    assert response.status_code == 422, response.text
    [missing] = response.json()["detail"]
    assert (
        missing["loc"] == ["body", "corrections", 0, "row_index"] and missing["type"] == "missing"
    )
    assert missing["input"] == {"column": "client", "value": 1, "\\ud800": 2}


def test_a_lone_surrogate_in_a_mapping_answers_422(api):
    import_id = api.created_id()
    body = json.dumps({"mapping": {**SEED_MAPPING, "client": "Client"}}).replace(
        '"Client"', '"\\udfff"'
    )
    headers = {**api.headers, "content-type": "application/json"}
    response = api.client.post(f"/v2/imports/{import_id}/validate", headers=headers, content=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][:2] == ["body", "mapping"]


def test_a_file_name_too_long_answers_422_naming_the_upload(api):
    response = api.create(name="a" * 296 + ".csv")
    assert response.status_code == 422, response.text
    body = response.json()
    assert (
        body["code"] == "INVALID_FILE_NAME"
        and body["field"] == "upload_file"
        and "300 characters" in body["detail"]
    )


def test_a_multipart_body_the_parser_refuses_answers_400_naming_the_upload(api):
    """A 5,000-character file name overflows the multipart parser's 4 KB part-header limit before
    our code runs."""
    response = api.create(name="a" * 4996 + ".csv")
    assert response.status_code == 400, response.text
    body = response.json()
    assert (
        body["code"] == "INVALID_MULTIPART"
        and body["field"] == "upload_file"
        and "under 4 KB" in body["detail"]
    )
    assert api.client.get("/v2/imports/sessions", headers=api.headers).json()["total"] == 0


def test_nul_in_a_text_field_is_a_422_that_names_it_on_every_database(any_db_api):
    """Found by schemathesis (issue 14): PostgreSQL's text cannot hold NUL, so a project_id with
    one answered 500 there after the file was stored."""
    created = any_db_api.create(project_id="p\x00q")
    assert created.status_code == 422
    [error] = created.json()["detail"]
    assert error["loc"] == ["body", "project_id"] and "NUL" in error["msg"]
    listed = any_db_api.client.get(
        "/v2/imports/sessions", headers=any_db_api.headers, params={"user_id": "a\x00"}
    )
    assert listed.status_code == 422 and listed.json()["detail"][0]["loc"] == ["query", "user_id"]
    assert any_db_api.created_id(project_id="p-q")  # the same request without NUL is taken


def test_an_empty_status_filter_is_refused_not_read_as_any_status(api):
    """Found by schemathesis: ``status=`` answered every session, although the schema's
    values do not include the empty string."""
    response = api.client.get("/v2/imports/sessions?status=&status=", headers=api.headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["query", "status"]


def test_an_upload_named_without_an_extension_is_read_by_its_bytes(api):
    """``curl -F upload_file=@-`` sends the name "-"; schemathesis sends the field's name."""
    created = api.create(name="upload_file")
    assert created.status_code == 201, created.text
    assert created.json()["total_rows"] == 240
    pdf = api.create(b"%PDF-1.4", name="report.pdf")  # a name that says another type still 415s
    assert pdf.status_code == 415


def test_the_create_form_schema_says_when_the_file_is_required(api):
    form = api.client.get("/openapi.json").json()["components"]["schemas"][
        "Body_create_session_v2_imports_sessions_post"
    ]
    assert {"required": ["upload_file"], "properties": {"upload_mode": {"const": "sync"}}} in form[
        "anyOf"
    ]
    # A multipart field is text or absent: no null in the schema of any of them.
    assert all("anyOf" not in field for field in form["properties"].values())
    assert form["properties"]["template_id"]["minLength"] == 1
    assert "es_ES" in form["properties"]["numeric_locale"]["enum"]


def test_a_cell_past_the_setting_is_a_422_that_names_column_and_row(api):
    long_note = "x" * 40_000  # past Excel's 32,767, the default
    content = SAMPLE_CSV.read_bytes().decode().splitlines()
    content[5] = content[5].replace(content[5].split(";")[1], long_note, 1)
    created = api.create("\n".join(content).encode())
    assert created.status_code == 422 and created.json()["code"] == "CELL_TOO_LONG"
    assert (
        "row_index 4" in created.json()["detail"]
        and "40,000 characters" in created.json()["detail"]
    )
