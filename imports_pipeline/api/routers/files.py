"""Downloads of a session's files: the original upload and the error reports."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from imports_pipeline.api import examples
from imports_pipeline.api.auth import CurrentActor
from imports_pipeline.api.dependencies import Service
from imports_pipeline.views import DownloadableFile
from imports_pipeline.wire import ReportFormat, UploadFormat

router = APIRouter(
    prefix="/v2/imports", tags=["files"], responses=examples.error_responses(401, 403, 404, 422)
)


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
            "content": {
                media: {}
                for media in (
                    "text/csv",
                    "application/json",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
            },
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
