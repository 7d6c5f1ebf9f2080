"""Turning errors into the contract's bodies: ``{"detail": message, "code": CODE}``.

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
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from imports_pipeline.errors import DomainError, UploadTooLargeError

logger = logging.getLogger("imports_pipeline.api")

HTTP_ERROR_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: UploadTooLargeError.code}


def error_response(error: DomainError) -> JSONResponse:
    body = {"detail": error.message, "code": error.code, **jsonable_encoder(error.context)}
    return JSONResponse(body, status_code=error.http_status)


async def domain_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    if error.http_status >= 500:
        logger.error("%s: %s", error.code, error, exc_info=error)
    return error_response(error)


def too_large_response(limit: int) -> JSONResponse:
    return error_response(
        UploadTooLargeError(
            f"The request body is larger than the limit of {limit} bytes"
            " (IMPORTS_MAX_UPLOAD_BYTES)",
            max_bytes=limit,
        )
    )


async def http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 413:
        return too_large_response(request.app.state.max_upload_bytes)
    if error.status_code == 400 and error.detail == STARLETTE_MULTIPART_ERROR:
        return JSONResponse(
            {"detail": MULTIPART_HINT, "code": "INVALID_MULTIPART", "field": "upload_file"},
            status_code=400,
        )
    code = HTTP_ERROR_CODES.get(error.status_code, "HTTP_ERROR")
    return JSONResponse(
        {"detail": error.detail, "code": code}, status_code=error.status_code, headers=error.headers
    )


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


async def request_validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    details = [
        {**item, **CONTRACT_ENUM_ERROR} if item.get("type") == "enum" else item
        for item in _json_safe(jsonable_encoder(error.errors()))
    ]
    return JSONResponse({"detail": details}, status_code=422)


async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
    logger.error("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return JSONResponse(
        {"detail": "Internal server error", "code": "INTERNAL_ERROR"}, status_code=500
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, request_validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
