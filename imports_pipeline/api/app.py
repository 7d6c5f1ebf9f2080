"""The FastAPI application: ``create_app(service)`` assembles routers, auth stores and error
handlers.

Run it with ``imports-pipeline serve``, or with uvicorn's factory mode:
``uvicorn imports_pipeline.api.app:from_environment --factory``.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import Depends, FastAPI
from starlette.formparsers import MultiPartParser

from imports_pipeline.api import embed_tokens
from imports_pipeline.api.auth import declare_security
from imports_pipeline.api.create_form import add_create_body_rules
from imports_pipeline.api.docs import install_docs
from imports_pipeline.api.errors import install_error_handlers
from imports_pipeline.api.heavy_requests import HeavyRequestLimit
from imports_pipeline.api.query_parameters import (
    reject_unknown_form_fields,
    reject_unknown_query_parameters,
)
from imports_pipeline.api.routers import files, sessions, templates, uploads, webhooks
from imports_pipeline.api.upload_limit import UPLOAD_SPOOL_BYTES, UploadLimitMiddleware
from imports_pipeline.api.web_importer import install_web_importer
from imports_pipeline.run_submission import DagsterRunSubmitter
from imports_pipeline.sessions import ImportService
from imports_pipeline.settings import Settings, environment_name
from imports_pipeline.wire import declare_text_keys


def _description(max_upload_bytes: int) -> str:
    max_upload_setting = environment_name("max_upload_bytes")
    return (
        "\n"
        "Interactive imports: upload a CSV/XLSX file, map its columns onto a template, inspect"
        " category values,\n"
        "validate, review and patch rows, submit. Compatible with the Dcycle Imports API v2.\n"
        "\n"
        "**Auth.** Every call sends `x-api-key` and `x-organization-id`. Create keys with\n"
        "`imports-pipeline keys create --org ORG [--user USER]`. A missing, unknown or revoked key"
        " answers\n"
        "401 `INVALID_API_KEY`; a key of another organization 403 `ORGANIZATION_MISMATCH`."
        " Sessions of other\n"
        "organizations do not exist for you (404).\n"
        "\n"
        '**Errors.** `{"detail": "...", "code": "..."}` with a stable code; bad parameters answer'
        " FastAPI's 422\n"
        "(`detail` is a list of `loc`, `msg`, `type`).\n"
        "\n"
        f"**Upload limit.** Request bodies over {max_upload_bytes} bytes (`{max_upload_setting}`)"
        " are refused with\n"
        "413 `UPLOAD_TOO_LARGE` before they are read: at once when `Content-Length` says so,"
        " otherwise as soon as the\n"
        "streamed bytes pass the limit.\n"
        "\n"
        "**Retries.** Create and submit accept an `Idempotency-Key` header: a retry returns the"
        " first response.\n"
    )


def create_app(service: ImportService, max_upload_bytes: int | None = None) -> FastAPI:
    """The app over ``service``'s stores; the upload limit is the service's setting unless given
    here."""
    limit = service.settings.max_upload_bytes if max_upload_bytes is None else max_upload_bytes
    app = FastAPI(
        title="imports_pipeline: Imports API v2",
        version="2.0.0",
        description=_description(limit),
        dependencies=[
            Depends(reject_unknown_query_parameters),
            Depends(reject_unknown_form_fields),
        ],
        docs_url=None,  # install_docs serves /docs and /redoc with local assets
        redoc_url=None,
    )
    app.add_middleware(UploadLimitMiddleware, max_bytes=limit)
    app.add_middleware(
        HeavyRequestLimit,
        max_running=service.settings.max_heavy_requests,
        wait_seconds=service.settings.heavy_request_wait_seconds,
    )
    MultiPartParser.spool_max_size = UPLOAD_SPOOL_BYTES
    app.state.service = service
    app.state.destination = service.stores.destination
    app.state.api_keys = service.stores.api_keys
    app.state.idempotency = service.stores.idempotency
    app.state.max_upload_bytes = limit
    dagster_url = service.settings.dagster_url
    app.state.run_submitter = (
        DagsterRunSubmitter(dagster_url, service.stores.processing, service.clock)
        if dagster_url
        else None
    )
    install_error_handlers(app)
    install_docs(app)
    install_web_importer(app)
    # Fixed paths (templates/, options/) before /{import_id}/…, so an id never shadows them.
    app.include_router(templates.router)
    app.include_router(webhooks.router)
    app.include_router(sessions.router)
    app.include_router(files.router)
    app.include_router(uploads.router)
    app.include_router(embed_tokens.router)
    schema_of = app.openapi

    def openapi_with_body_rules() -> dict[str, Any]:
        if app.openapi_schema is None:
            add_create_body_rules(schema_of())
            declare_text_keys(schema_of())
            declare_security(schema_of())
        return schema_of()

    app.openapi = openapi_with_body_rules  # type: ignore[method-assign]
    return app


def serving_app(service: ImportService) -> FastAPI:
    """The app as a server runs it (``serve``, its workers, the quickstart): the slow first
    loads start in the background, so the server answers at once and a first suggest finds the
    encoder loaded or loading."""
    warm_up = threading.Thread(target=service.warm_up, name="warm-up", daemon=True)
    warm_up.start()
    app = create_app(service)
    app.state.warm_up = warm_up
    return app


def from_environment() -> FastAPI:
    """The served app on the settings of the environment (by default SQLite and files under
    ``./data``): uvicorn's factory, as each ``serve --workers`` process starts it."""
    return serving_app(ImportService.from_settings(Settings.from_environment()))
