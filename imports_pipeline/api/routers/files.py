"""Downloads of a session's files: the original upload and the error reports, with an API key or
through a signed, short-lived link that a browser can open."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel

from imports_pipeline.api import examples
from imports_pipeline.api.auth import CurrentActor
from imports_pipeline.api.dependencies import Service
from imports_pipeline.views import DownloadableFile
from imports_pipeline.wire import ErrorBody, ReportFormat, UploadFormat

router = APIRouter(
    prefix="/v2/imports", tags=["files"], responses=examples.error_responses(401, 403, 404, 422)
)


REPORT_MEDIA_TYPES = (
    "text/csv",
    "application/json",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)


class ReportLink(BaseModel):
    """A report download link that needs no API-key headers, until ``expires_at``."""

    url: str
    format: str
    expires_at: datetime


def _download(file: DownloadableFile) -> FileResponse:
    return FileResponse(file.path, media_type=file.media_type, filename=file.file_name)


@router.get(
    "/{import_id}/files/upload",
    name="download_upload",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "The upload as received."}
    },
)
def download_upload(service: Service, actor: CurrentActor, import_id: str) -> FileResponse:
    """The original upload, byte for byte, under the name it was uploaded with."""
    return _download(service.original_upload(actor, import_id))


@router.get(
    "/{import_id}/files/upload.{fmt}",
    name="download_converted_upload",
    response_class=FileResponse,
    responses={
        200: {
            "content": {"text/csv": {}, "application/json": {}},
            "description": "The upload as read, every cell as text: CSV, or JSON records.",
        },
        **examples.error_responses(409, 410),
    },
)
def download_converted_upload(
    service: Service, actor: CurrentActor, import_id: str, fmt: UploadFormat
) -> FileResponse:
    """The upload converted to CSV or JSON, whatever its own format (a workbook's chosen sheet
    from its header row on); 410 once the session expired (the original stays downloadable)."""
    return _download(service.converted_upload(actor, import_id, fmt.value))


@router.get(
    "/{import_id}/files/errors.{fmt}",
    name="download_error_report",
    response_class=FileResponse,
    responses={
        200: {
            "content": {media: {} for media in REPORT_MEDIA_TYPES},
            "description": (
                "Failing rows: original columns plus error columns; cells that a spreadsheet would"
                " run as formulas are neutralised."
            ),
        },
        **examples.error_responses(409),
    },
)
def download_error_report(
    service: Service, actor: CurrentActor, import_id: str, fmt: ReportFormat
) -> FileResponse:
    """Every row left out: validation errors and, once processed, the rows processing left out
    (repeated keys, unknown keys of a delete); to fix in a spreadsheet and upload again (409
    before validate)."""
    return _download(service.error_report(actor, import_id, fmt.value))


@router.get(
    "/{import_id}/files/errors.{fmt}/link",
    name="error_report_link",
    response_model=ReportLink,
    responses=examples.error_responses(409),
)
def error_report_link(
    service: Service, actor: CurrentActor, request: Request, import_id: str, fmt: ReportFormat
) -> ReportLink:
    """A signed link to this session's report in this format, to open in a browser or send on
    without the API key: it works for the `IMPORTS_REPORT_LINK_MINUTES` setting (15 by default),
    for this session and format only (409 before validate)."""
    signed = service.error_report_link(actor, import_id, fmt.value)
    url = request.url_for(
        "download_signed_error_report", import_id=import_id, fmt=fmt.value
    ).include_query_params(expires=signed.expires, signature=signed.signature)
    return ReportLink(
        url=str(url), format=fmt.value, expires_at=datetime.fromtimestamp(signed.expires, UTC)
    )


@router.get(
    "/{import_id}/files/signed/errors.{fmt}",
    name="download_signed_error_report",
    response_class=FileResponse,
    responses={
        200: {
            "content": {media: {} for media in REPORT_MEDIA_TYPES},
            "description": "The error report, as the authenticated download gives it.",
        },
        403: {
            "model": ErrorBody,
            "description": "A link changed or not signed (INVALID_SIGNED_LINK), or past its"
            " expiry (DOWNLOAD_LINK_EXPIRED)",
        },
    },
)
def download_signed_error_report(
    service: Service,
    import_id: str,
    fmt: ReportFormat,
    expires: Annotated[str, Query(description="Unix seconds, as the link was signed.")],
    signature: Annotated[str, Query(description="The link's HMAC-SHA256, base64url.")],
) -> FileResponse:
    """The error report a signed link names; no API key (the signature is the authorisation)."""
    return _download(service.signed_error_report(import_id, fmt.value, expires, signature))
