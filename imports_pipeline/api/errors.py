"""Turning errors into the contract's bodies: ``{"detail": message, "code": CODE}``, with RFC 7807's
``type``, ``title``, ``status`` and ``instance`` beside them.

Domain errors carry their own code and status. Starlette's HTTP errors (unknown
path, wrong method, body over the size limit) get the same body shape. Anything
else is a bug: logged with its traceback, answered with a generic 500 that
leaks nothing. Request validation keeps FastAPI's own 422 shape, as the
contract shows it; an unknown enum value is worded exactly as the contract's
example (``type_error.enum``, "value is not a valid enumeration member"), with
the permitted values left in ``ctx``.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from imports_pipeline.errors import DomainError, UploadTooLargeError

logger = logging.getLogger("imports_pipeline.api")

HTTP_ERROR_CODES = {
    400: "INVALID_BODY",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: UploadTooLargeError.code,
}
STARLETTE_BODY_ERROR = "There was an error parsing the body"
BODY_HINT = "The request body could not be read as JSON (it must be UTF-8 text)"


PROBLEM_TYPE = "urn:imports-pipeline:error:{code}"
"""RFC 7807's ``type``: one URI per stable error code (the codes are listed in the README)."""


def problem_response(
    status: int,
    code: str,
    detail: Any,
    instance: str,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> JSONResponse:
    """The one error body: the contract's ``detail`` and ``code`` with RFC 7807's ``type``,
    ``title``, ``status`` and ``instance`` (the request's path) beside them, then any context."""
    body = {
        "type": PROBLEM_TYPE.format(code=code.lower()),
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
        **jsonable_encoder(context),
    }
    return JSONResponse(body, status_code=status, headers=headers)


def error_response(error: DomainError, instance: str) -> JSONResponse:
    return problem_response(error.http_status, error.code, error.message, instance, **error.context)


async def domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    if error.http_status >= 500:
        logger.error("%s: %s", error.code, error, exc_info=error)
    return error_response(error, request.url.path)


def too_large_response(limit: int, instance: str) -> JSONResponse:
    return error_response(
        UploadTooLargeError(
            f"The request body is larger than the limit of {limit} bytes"
            " (IMPORTS_MAX_UPLOAD_BYTES)",
            max_bytes=limit,
        ),
        instance,
    )


async def http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 413:
        return too_large_response(request.app.state.max_upload_bytes, request.url.path)
    if error.status_code == 400 and error.detail == STARLETTE_MULTIPART_ERROR:
        return problem_response(
            400, "INVALID_MULTIPART", MULTIPART_HINT, request.url.path, field="upload_file"
        )
    code = HTTP_ERROR_CODES.get(error.status_code, "HTTP_ERROR")
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
    detail = BODY_HINT if error.detail == STARLETTE_BODY_ERROR else error.detail
    return problem_response(error.status_code, code, detail, request.url.path, headers=headers)


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method the API documents for ``path``: Starlette's ``Allow`` names only the first
    route that matched the path, and one path has a route per method."""
    patterns = getattr(app.state, "path_patterns", None)
    if patterns is None:
        patterns = [
            (re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"), item)
            for template, item in app.openapi()["paths"].items()
        ]
        app.state.path_patterns = patterns
    methods = {m.upper() for pattern, item in patterns if pattern.match(path) for m in item}
    return sorted(methods)


STARLETTE_MULTIPART_ERROR = "Invalid multipart data."
MULTIPART_HINT = (
    "The multipart/form-data body could not be read. Send the file as the 'upload_file' part;"
    " each part's headers (its file name included) must stay under 4 KB, and the body must end"
    " with the closing boundary."
)


CONTRACT_ENUM_ERROR = {"type": "type_error.enum", "msg": "value is not a valid enumeration member"}


def _json_safe(value: Any) -> Any:
    """What a refused body echoes back, made encodable: NaN/±Infinity as text, lone surrogates
    escaped."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_json_safe(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    return value


def _contract_enum_error(item: dict[str, Any]) -> dict[str, Any]:
    """The contract's wording; a filter that takes several values (``status=a,b``) is still
    located at the parameter, not at the position in its list."""
    loc = item["loc"]
    if loc and loc[0] == "query" and isinstance(loc[-1], int):
        loc = loc[:-1]
    return {**item, **CONTRACT_ENUM_ERROR, "loc": loc}


async def request_validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    details = [
        _contract_enum_error(item) if item.get("type") == "enum" else item
        for item in _json_safe(jsonable_encoder(error.errors()))
    ]
    return problem_response(422, "INVALID_REQUEST", details, request.url.path)


async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
    logger.error("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return problem_response(500, "INTERNAL_ERROR", "Internal server error", request.url.path)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, request_validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
