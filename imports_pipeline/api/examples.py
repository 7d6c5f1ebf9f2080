"""The request and response examples of the Dcycle documents (``shared/seeds/000``, ``001``),
for /docs.

Kept as data in one place so the OpenAPI document and the contract stay word for word the same.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from imports_pipeline.vocabulary import ProcessingStatus, SessionStatus

IMPORT_ID = "11111111-1111-1111-1111-111111111111"

SEED_MAPPING = {
    "trip_date": "Trip Date",
    "client": "Client",
    "distance_km": "Distance",
    "origin_country": "Origin Country",
    "destination_country": "Destination Country",
}

CREATED_SESSION: dict[str, Any] = {
    "import_id": IMPORT_ID,
    "file_name": "logistics.csv",
    "total_rows": 240,
    "numeric_locale": "es_ES",
    "sheets": [],
    "selected_sheet": None,
    "detected_header_row": 0,
    "source_columns": ["Trip Date", "Client", "Distance", "Origin Country", "Destination Country"],
    "sample_rows": [["2026-03-01", "ACME", "125,4", "ES", "FR"]],
}

SESSION: dict[str, Any] = {
    "id": IMPORT_ID,
    "organization_id": "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa",
    "user_id": "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb",
    "template_id": "logistics_requests",
    "file_name": "logistics_march.csv",
    "file_type": "csv",
    "status": SessionStatus.VALIDATED.value,
    "numeric_locale": "es_ES",
    "actor_type": "user",
    "actor_api_key_id": None,
    "total_rows": 240,
    "valid_rows": 238,
    "error_rows": 2,
    "source_columns": ["Trip Date", "Client", "Distance", "Origin", "Destination"],
    "mapping": {"trip_date": "Trip Date", "client": "Client", "distance_km": "Distance"},
    "errors_by_column": {"distance_km": 2},
    "status_detail": None,
    "submitted_file_id": None,
    "processing_job_id": None,
    "raw_file_id": None,
    "project_id": None,
    "folder_id": None,
    "selected_sheet": None,
    "detected_header_row": 0,
    "expires_at": "2026-04-09T14:00:00",
    "created_at": "2026-04-08T14:00:00",
    "updated_at": "2026-04-08T14:05:12",
    # What the other reference documents add (PackageX, Fleetio, Leadsy):
    "name": "logistics_march.csv",
    "note": None,
    "import_code": "IMP-7K3Q9F",
    "type": "logistics_requests",
    "file_size": 11408,
    "checksum": "3f5a1c0e9d2b7a6f4e8c1d0b9a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f",
    "has_upload_file": True,
    "has_errors_file": True,
    "updated_by": "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb",
    "processing_status": None,
    "processed_rows": None,
    "failed_rows": None,
    "success_rate": None,
    "started_at": None,
    "finished_at": None,
    "completed_at": None,
    "dagster_run_id": None,
    "imported_by": {
        "id": "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb",
        "full_name": "Ana García",
        "email": "ana@example.com",
    },
    "import_status": "requested",
    "reason": None,
}

SESSION_PAGE: dict[str, Any] = {
    "items": [SESSION],
    "total": 1,
    "page": 1,
    "size": 25,
    "pages": 1,
    "next_page": None,
    "prev_page": None,
    "start_cursor": None,
    "next_cursor": None,
    "estimated_remaining_count": 0,
    "filtered_by": {"status": ["validated"]},
    "sorted_by": "-created_at",
}

MAPPING_REQUEST = {"mapping": SEED_MAPPING}

PATCH_REQUEST = {"corrections": [{"row_index": 17, "column": "distance_km", "value": 128.4}]}

SUBMIT_REQUEST = {"ignore_errors": False}

SUBMIT_RESULT: dict[str, Any] = {
    "status": ProcessingStatus.PROCESSING.value,
    "file_id": "22222222-2222-2222-2222-222222222222",
    "processing_job_id": "33333333-3333-3333-3333-333333333333",
    "rows_submitted": 240,
}

INVALID_API_KEY = {"detail": "Invalid API key", "code": "INVALID_API_KEY"}

ERROR_EXAMPLES: dict[int, tuple[str, dict[str, Any]]] = {
    400: (
        "A body that cannot be read (not UTF-8 JSON, a broken multipart)",
        {
            "detail": "The request body could not be read as JSON (it must be UTF-8 text)",
            "code": "INVALID_BODY",
        },
    ),
    401: ("Missing, unknown or revoked API key", INVALID_API_KEY),
    403: (
        "The key belongs to another organization",
        {
            "detail": "This API key does not belong to organization 'cccc…'",
            "code": "ORGANIZATION_MISMATCH",
        },
    ),
    404: (
        "No such import in your organization",
        {"detail": f"Import session {IMPORT_ID} not found", "code": "IMPORT_NOT_FOUND"},
    ),
    409: (
        "Step out of order, or errors remain at submit",
        {
            "detail": (
                f"Import {IMPORT_ID} still has 1 rows with errors:"
                " correct them or submit with ignore_errors=true"
            ),
            "code": "VALIDATION_ERRORS_REMAIN",
            "error_rows": 1,
        },
    ),
    410: (
        "The session is past its 24 h TTL",
        {"detail": f"Import {IMPORT_ID} expired at 2026-04-09T14:00:00", "code": "IMPORT_EXPIRED"},
    ),
    415: (
        "A file type this service does not read",
        {
            "detail": (
                "File type '.pdf' is not supported;"
                " use one of .csv, .ods, .tsv, .txt, .xls, .xlsm, .xlsx"
            ),
            "code": "UNSUPPORTED_FILE_TYPE",
        },
    ),
    422: (
        "Bad parameters (FastAPI's detail list, code INVALID_REQUEST) or a refused value"
        " (detail text and its own code)",
        {
            "detail": [
                {"type": "missing", "loc": ["body", "upload_file"], "msg": "Field required"}
            ],
            "code": "INVALID_REQUEST",
        },
    ),
    413: (
        "Upload over IMPORTS_MAX_UPLOAD_BYTES",
        {
            "detail": (
                "The request body is larger than the limit of 262144000 bytes"
                " (IMPORTS_MAX_UPLOAD_BYTES)"
            ),
            "code": "UPLOAD_TOO_LARGE",
            "max_bytes": 262144000,
        },
    ),
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries for these statuses, each with the contract's error body."""
    from imports_pipeline.wire import ErrorBody

    return {
        status: {
            "model": ErrorBody,
            "description": ERROR_EXAMPLES[status][0],
            "content": {"application/json": {"example": problem_example(status)}},
        }
        for status in statuses
    }


def problem_example(status: int) -> dict[str, Any]:
    """The example body of ``status`` as the API sends it, RFC 7807's fields included."""
    body = ERROR_EXAMPLES[status][1]
    return {
        "type": f"urn:imports-pipeline:error:{body['code'].lower()}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        **body,
        "instance": f"/v2/imports/{IMPORT_ID}/submit",
    }
