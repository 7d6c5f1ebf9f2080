"""/docs (Swagger UI) and /redoc served with their scripts and styles from this app, not a CDN.

A self-hosted service is often run where browsers cannot reach the internet (a plant, a private
network), and FastAPI's default pages load Swagger UI and ReDoc from jsDelivr, so there they are
blank. The assets come from the ``fastapi-offline`` package, which ships swagger-ui and redoc's
built files; we only mount its ``static`` folder and keep FastAPI's own page builders.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
ASSETS_URL = "/docs-assets"
ASSETS_DIR = Path(str(files("fastapi_offline") / "static"))
"""swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js and favicon.png."""

REDOC_IMAGES_POLICY = "img-src 'self' data:"
"""ReDoc's bundle draws its vendor's logo from cdn.redoc.ly (and hides it when that fails): the
browser is told not to ask another host for images, so the page makes no outside request."""
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}
"""Swagger UI would otherwise ask validator.swagger.io to check the schema for its badge."""


def install_docs(app: FastAPI) -> None:
    """Add /docs, /redoc and their assets to ``app``, which was built with ``docs_url=None`` and
    ``redoc_url=None``. URLs keep the ASGI ``root_path``, so the pages work behind a proxy
    prefix."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"
    oauth2_redirect_url = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=f"{root}{oauth2_redirect_url}",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )

    @app.get(oauth2_redirect_url, include_in_schema=False)
    async def swagger_ui_oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_redoc_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
        page.headers["Content-Security-Policy"] = REDOC_IMAGES_POLICY
        return page
