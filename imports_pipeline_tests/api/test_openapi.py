"""/docs and /openapi.json describe every endpoint with the contract's examples."""

from __future__ import annotations

from imports_pipeline.api import examples


def test_openapi_documents_every_endpoint_with_the_seed_examples(api):
    spec = api.client.get("/openapi.json").json()
    paths = spec["paths"]
    assert {(path, method) for path, ops in paths.items() for method in ops} == {
        ("/v2/imports/sessions", "post"),
        ("/v2/imports/sessions", "get"),
        ("/v2/imports/{import_id}/mapping/suggest", "post"),
        ("/v2/imports/{import_id}/unique-values", "post"),
        ("/v2/imports/{import_id}/validate", "post"),
        ("/v2/imports/{import_id}/rows", "get"),
        ("/v2/imports/{import_id}/rows", "patch"),
        ("/v2/imports/{import_id}/submit", "post"),
        ("/v2/imports/{import_id}/status", "get"),
        ("/v2/imports/{import_id}/rollback", "post"),
        ("/v2/imports/templates", "get"),
        ("/v2/imports/templates/{template_id}", "get"),
        ("/v2/imports/options/{source_key}", "get"),
        ("/v2/imports/{import_id}/files/upload", "get"),
        ("/v2/imports/{import_id}/files/upload.{fmt}", "get"),
        ("/v2/imports/uploads/{token}", "put"),
        ("/v2/imports/{import_id}/files/errors.{fmt}", "get"),
        ("/v2/imports/{import_id}/files/errors.{fmt}/link", "get"),
        ("/v2/imports/{import_id}/files/signed/errors.{fmt}", "get"),
        ("/v2/imports/embed-tokens", "post"),
        ("/v2/imports/webhooks", "post"),
        ("/v2/imports/webhooks", "get"),
        ("/v2/imports/webhooks/{webhook_id}", "get"),
        ("/v2/imports/webhooks/{webhook_id}", "delete"),
        ("/v2/imports/webhooks/{webhook_id}/deliveries", "get"),
    }
    create = paths["/v2/imports/sessions"]["post"]
    # FastAPI writes the document with exclude_none, so an example's null fields are left out.
    without_nulls = {k: v for k, v in examples.CREATED_SESSION.items() if v is not None}
    assert (
        create["responses"]["201"]["content"]["application/json"]["examples"]["contract"]["value"]
        == without_nulls
    )
    unauthorized = create["responses"]["401"]["content"]["application/json"]["example"]
    assert unauthorized == examples.problem_example(401)
    assert unauthorized.items() >= examples.INVALID_API_KEY.items()
    patch = paths["/v2/imports/{import_id}/rows"]["patch"]["requestBody"]["content"][
        "application/json"
    ]
    assert patch["examples"]["contract"]["value"] == examples.PATCH_REQUEST
    submit = paths["/v2/imports/{import_id}/submit"]["post"]
    assert (
        submit["responses"]["200"]["content"]["application/json"]["examples"]["contract"]["value"]
        == examples.SUBMIT_RESULT
    )
    listed = paths["/v2/imports/sessions"]["get"]
    assert {p["name"] for p in listed["parameters"]} >= {
        "status",
        "template_id",
        "user_id",
        "include_expired",
        "page",
        "size",
        "created_at_gte",
        "updated_at_lt",
        "sort",
        "cursor",
    }
    assert "Idempotency-Key" in {p["name"] for p in create["parameters"]}
    assert set(spec["components"]["securitySchemes"]) == {"ApiKey", "OrganizationId", "EmbedToken"}
    assert (
        "IMPORTS_MAX_UPLOAD_BYTES" in spec["info"]["description"]
        and "262144000 bytes" in spec["info"]["description"]
    )
    assert api.client.get("/docs").status_code == 200


def test_the_list_example_is_a_valid_page_with_every_field(api):
    """The /docs example of the list answers the same shape as the API: no field missing or
    made up."""
    from imports_pipeline.views import SessionPage

    page = SessionPage.model_validate(examples.SESSION_PAGE)
    assert set(page.items[0].model_dump()) == set(examples.SESSION)
    assert set(page.model_dump()) == set(examples.SESSION_PAGE)
