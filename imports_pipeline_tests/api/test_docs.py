"""/docs and /redoc work with no internet: every script, style and icon they load comes from
the app itself, with the content type a browser needs to run or apply it."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from imports_pipeline_tests.api.conftest import Api

ASSET_REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url:\s*'([^']+)'""")
EXTERNAL_HOST = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}""")
CONTENT_TYPES = {
    ".js": {"text/javascript", "application/javascript"},
    ".css": {"text/css"},
    ".png": {"image/png"},
    ".json": {"application/json"},
}
WHAT_EACH_ASSET_DEFINES = {
    "swagger-ui-bundle.js": "SwaggerUIBundle",
    "swagger-ui.css": ".swagger-ui",
    "redoc.standalone.js": "Redoc",
    "openapi.json": '"openapi"',
}


def referenced(html: str) -> list[str]:
    """Every URL the page loads: src/href attributes and the scripts' ``url: '…'`` settings."""
    return sorted({a or b for a, b in ASSET_REFERENCE.findall(html)})


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (
            "/docs",
            [
                "/docs-assets/favicon.png",
                "/docs-assets/swagger-ui-bundle.js",
                "/docs-assets/swagger-ui.css",
                "/openapi.json",
            ],
        ),
        ("/redoc", ["/docs-assets/favicon.png", "/docs-assets/redoc.standalone.js"]),
    ],
)
def test_a_docs_page_loads_everything_from_the_app(api: Api, page: str, expected: list[str]):
    response = api.client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert EXTERNAL_HOST.findall(html) == []
    urls = referenced(html)
    assert urls == expected
    for url in urls:
        asset = api.client.get(url)
        assert asset.status_code == 200, url
        content_type = asset.headers["content-type"].split(";")[0]
        suffix = url[url.rfind(".") :]
        assert content_type in CONTENT_TYPES[suffix], (url, content_type)
        name = url.rsplit("/", 1)[1]
        if name in WHAT_EACH_ASSET_DEFINES:
            assert WHAT_EACH_ASSET_DEFINES[name] in asset.text[:2_000_000], url


def test_redoc_reads_the_apps_own_schema(api: Api):
    html = api.client.get("/redoc").text
    assert re.findall(r"""spec-url=["']([^"']+)["']""", html) == ["/openapi.json"]


def test_swagger_ui_does_not_ask_the_public_validator(api: Api):
    """Swagger UI's default validatorUrl would send the schema to validator.swagger.io."""
    html = api.client.get("/docs").text
    assert '"validatorUrl": null' in html


def test_docs_keep_a_proxy_prefix(api: Api):
    """Behind a proxy that strips /imports, the assets must be asked for under /imports too."""
    with TestClient(api.client.app, root_path="/imports") as client:
        page = client.get("/docs").text
    assert referenced(page) == [
        "/imports/docs-assets/favicon.png",
        "/imports/docs-assets/swagger-ui-bundle.js",
        "/imports/docs-assets/swagger-ui.css",
        "/imports/openapi.json",
    ]


def test_swagger_ui_oauth2_redirect_page_is_served(api: Api):
    response = api.client.get("/docs/oauth2-redirect")
    assert response.status_code == 200
    assert EXTERNAL_HOST.findall(response.text) == []


def test_an_unknown_asset_is_a_404_in_the_contracts_body(api: Api):
    response = api.client.get("/docs-assets/nothing-here.js")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
