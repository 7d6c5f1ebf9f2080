"""The signed upload URL of an ``upload_mode=async`` create: the file's bytes, once, no API key."""

from __future__ import annotations

import tempfile
from typing import Annotated, BinaryIO, cast

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool

from imports_pipeline.api import examples
from imports_pipeline.api.dependencies import Service
from imports_pipeline.api.upload_limit import UPLOAD_SPOOL_BYTES
from imports_pipeline.views import CreatedSession
from imports_pipeline.wire import ErrorBody

router = APIRouter(prefix="/v2/imports", tags=["import sessions"])


@router.put(
    "/uploads/{token}",
    name="receive_upload",
    response_model=CreatedSession,
    responses={
        **examples.error_responses(400, 409, 410, 413, 415, 422),
        403: {
            "model": ErrorBody,
            "description": "A link the service did not sign (INVALID_SIGNED_LINK)",
        },
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
        }
    },
)
async def receive_upload(
    service: Service,
    request: Request,
    token: Annotated[str, Path(description="The upload_url's token, as the create answered it.")],
) -> CreatedSession:
    """Send the file of an `upload_mode=async` create as the request body; parsing starts when
    the upload is complete and the answer is the sync create's. The URL works once, until it
    expires; it needs no API key (the signature is the authorisation)."""
    await run_in_threadpool(service.check_upload_link, token)  # before a byte is read
    with tempfile.SpooledTemporaryFile(max_size=UPLOAD_SPOOL_BYTES) as spool:
        async for chunk in request.stream():
            spool.write(chunk)
        spool.seek(0)
        return await run_in_threadpool(service.receive_upload, token, cast(BinaryIO, spool))
