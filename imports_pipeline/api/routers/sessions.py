"""Import sessions: the contract's flow, one thin route per use case of ``ImportService``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import (
    APIRouter,
    BackgroundTasks,
    Body,
    File,
    Form,
    Header,
    Query,
    Request,
    Response,
    UploadFile,
)
from fastapi.exceptions import RequestValidationError
from pydantic import WithJsonSchema

from imports_pipeline.api import examples
from imports_pipeline.api.auth import CurrentActor, KeyHolder
from imports_pipeline.api.create_form import UPLOAD_MEDIA_TYPES
from imports_pipeline.api.dependencies import Destination, RunSubmitter, Service
from imports_pipeline.api.idempotency import Idempotency
from imports_pipeline.processing import rollback_for
from imports_pipeline.sessions.creating import (
    MAX_FILE_NAME_LENGTH,
    SUPPORTED_FILE_NAME,
    SUPPORTED_LOCALES,
    NewSession,
)
from imports_pipeline.views import (
    CreatedSession,
    MappingSuggestionResult,
    PatchResult,
    RollbackResult,
    RowsPage,
    SessionPage,
    SubmitResult,
    UniqueValuesResult,
    UploadRequested,
    ValidationResult,
)
from imports_pipeline.vocabulary import Correction, SessionStatus, TimeRange
from imports_pipeline.wire import (
    MAX_PAGE,
    PatchRowsRequest,
    ProcessingSummary,
    SessionListQuery,
    StatusResponse,
    SubmitRequest,
    SuggestMappingRequest,
    Text,
    UniqueValuesRequest,
    UploadMode,
    ValidateRequest,
)

router = APIRouter(
    prefix="/v2/imports",
    tags=["import sessions"],
    responses=examples.error_responses(400, 401, 403, 422),
)
session_errors = examples.error_responses(404, 409, 410)

PageQuery = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")]
PageSizeQuery = Annotated[int, Query(ge=1, le=1000, description="Rows per page (1–1000).")]


def _json_example(summary: str, value: object) -> dict[str, Any]:
    return {
        "content": {
            "application/json": {"examples": {"contract": {"summary": summary, "value": value}}}
        }
    }


@router.post(
    "/sessions",
    status_code=201,
    response_model=CreatedSession | UploadRequested,
    summary="Create Import Session",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "encoding": {"upload_file": {"contentType": ", ".join(UPLOAD_MEDIA_TYPES)}}
                }
            }
        }
    },
    responses={
        201: _json_example("The contract's create response", examples.CREATED_SESSION),
        **examples.error_responses(404, 413, 415),
    },
)
def create_session(
    service: Service,
    actor: CurrentActor,
    idempotency: Idempotency,
    template_id: Annotated[
        Text,
        Form(min_length=1, description="The target template.", examples=["logistics_requests"]),
    ],
    request: Request,
    upload_file: Annotated[
        UploadFile | None,
        # A multipart body has no null: the part is a file or it is left out.
        WithJsonSchema({"type": "string", "contentMediaType": "application/octet-stream"}),
        File(
            description="CSV, TSV, TXT, XLSX, XLSM or XLS; at most IMPORTS_MAX_UPLOAD_BYTES."
            " Required unless upload_mode=async."
        ),
    ] = None,
    upload_mode: Annotated[
        UploadMode,
        Form(
            description="`sync`: the file comes with this request. `async`: the answer has an"
            " upload_url (signed, works once) to PUT the file to; send file_name instead."
        ),
    ] = UploadMode.SYNC,
    file_name: Annotated[
        Text | None,
        Form(
            min_length=1,
            max_length=MAX_FILE_NAME_LENGTH,
            description="With upload_mode=async: the name of the file to come; no extension, or"
            " one of the upload's types.",
            json_schema_extra={"pattern": SUPPORTED_FILE_NAME},
        ),
    ] = None,
    numeric_locale: Annotated[
        Text | None,
        Form(
            description=(
                "How numbers are written (`es_ES`: 1.234,5). Inferred per column when absent."
            ),
            examples=["es_ES"],
            json_schema_extra={"enum": list(SUPPORTED_LOCALES)},
        ),
    ] = None,
    selected_sheet: Annotated[
        Text | None, Form(description="Workbook sheet; the first sheet with data when absent.")
    ] = None,
    header_row: Annotated[
        int | None,
        Form(
            ge=0,
            le=1_000_000,
            description="The row the header is on, 0-based as `detected_header_row` answers;"
            " detected when absent (title rows above the header are skipped).",
        ),
    ] = None,
    project_id: Annotated[Text | None, Form()] = None,
    folder_id: Annotated[Text | None, Form()] = None,
    name: Annotated[
        Text | None, Form(max_length=256, description="A name for people; the file name if absent.")
    ] = None,
    note: Annotated[
        Text | None, Form(max_length=10_000, description="Free text kept with the import.")
    ] = None,
) -> Response:
    """Upload a file and start a session: the file is stored, parsed, and its columns and first
    rows returned. With `upload_mode=async` the session is created first and the file is sent
    to the answer's `upload_url` (PackageX)."""
    later = upload_mode is UploadMode.ASYNC
    if (later and not file_name) or (not later and upload_file is None):
        field = "file_name" if later else "upload_file"
        missing = {"type": "missing", "loc": ("body", field), "msg": "Field required"}
        raise RequestValidationError([{**missing, "input": None}])
    wanted = NewSession(
        template_id,
        (file_name if later else upload_file.filename if upload_file else None) or "",
        numeric_locale=numeric_locale,
        selected_sheet=selected_sheet,
        header_row=header_row,
        project_id=project_id,
        folder_id=folder_id,
        name=name,
        note=note,
    )
    if later:

        def request_upload() -> UploadRequested:
            requested = service.request_upload(actor, wanted)
            url = str(request.url_for("receive_upload", token=requested.upload_token))
            return requested.model_copy(update={"upload_url": url})

        return idempotency.run(request_upload, status_code=201)
    assert upload_file is not None  # checked above
    upload = upload_file.file
    return idempotency.run(lambda: service.create(actor, wanted, upload), status_code=201)


@router.get(
    "/sessions",
    response_model=SessionPage,
    summary="List Import Sessions",
    responses={200: _json_example("Successful response", examples.SESSION_PAGE)},
)
def list_sessions(
    service: Service, actor: KeyHolder, query: Annotated[SessionListQuery, Query()]
) -> SessionPage:
    """Your organization's sessions, newest first; expired ones only with `include_expired=true`."""
    page = service.list_sessions(
        actor,
        [*(query.status or ()), *(query.status_include or ())],
        template_id=query.template_id,
        user_id=query.user_id,
        include_expired=query.include_expired,
        session_id=query.id_eq,
        page=query.page,
        size=query.per_page or query.size,
        created_at=_range(query, "created_at"),
        updated_at=_range(query, "updated_at"),
        processed_at=_range(query, "file_processed_at", ("lt", "lteq", "gt", "gteq")),
        sort=query.sort,
        cursor=query.cursor,
    )
    filters = query.model_fields_set - PAGING_PARAMETERS
    applied = query.model_dump(mode="json", include=filters, by_alias=True, exclude_none=True)
    return page.model_copy(update={"filtered_by": applied})


PAGING_PARAMETERS = {"page", "size", "per_page", "sort", "cursor"}


def _range(
    query: SessionListQuery, column: str, operators: tuple[str, ...] = ("lt", "lte", "gt", "gte")
) -> TimeRange | None:
    """The ``<column>_<op>`` parameters as one range; Leadsy spells the inclusive ones lteq/gteq."""
    bounds = {op.replace("eq", "e"): getattr(query, f"{column}_{op}") for op in operators}
    return TimeRange(**bounds) if any(v is not None for v in bounds.values()) else None


@router.post(
    "/{import_id}/mapping/suggest", response_model=MappingSuggestionResult, responses=session_errors
)
def suggest_mapping(
    service: Service,
    actor: CurrentActor,
    import_id: str,
    _body: Annotated[
        SuggestMappingRequest | None, Body(openapi_examples={"contract": {"value": {}}})
    ] = None,
) -> MappingSuggestionResult:
    """Best-effort source → template column matches; `mapping` is exactly what validate takes."""
    return service.suggest_mapping(actor, import_id)


@router.post(
    "/{import_id}/unique-values", response_model=UniqueValuesResult, responses=session_errors
)
def unique_values(
    service: Service,
    actor: CurrentActor,
    import_id: str,
    body: Annotated[
        UniqueValuesRequest,
        Body(openapi_examples={"contract": {"value": examples.MAPPING_REQUEST}}),
    ],
) -> UniqueValuesResult:
    """Distinct raw values of the mapped category columns, with the option each one would become."""
    return service.unique_values(actor, import_id, body.mapping or {}, limit=body.limit)


@router.post("/{import_id}/validate", response_model=ValidationResult, responses=session_errors)
def validate(
    service: Service,
    actor: CurrentActor,
    import_id: str,
    body: Annotated[
        ValidateRequest, Body(openapi_examples={"contract": {"value": examples.MAPPING_REQUEST}})
    ],
    page: PageQuery = 1,
    page_size: PageSizeQuery = 50,
) -> ValidationResult:
    """Validate every row with this mapping; counts for the whole file, one page of rows."""
    return service.validate(
        actor, import_id, body.mapping, body.value_mapping, page=page, page_size=page_size
    )


@router.get("/{import_id}/rows", response_model=RowsPage, responses=session_errors)
def rows(
    service: Service,
    actor: CurrentActor,
    import_id: str,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 50,
    errors_only: Annotated[bool, Query(description="Only rows that still need action.")] = False,
) -> RowsPage:
    """A page of the validated rows, corrections applied."""
    return service.rows(actor, import_id, page, page_size, errors_only)


@router.patch("/{import_id}/rows", response_model=PatchResult, responses=session_errors)
def patch_rows(
    service: Service,
    actor: CurrentActor,
    import_id: str,
    body: Annotated[
        PatchRowsRequest, Body(openapi_examples={"contract": {"value": examples.PATCH_REQUEST}})
    ],
) -> PatchResult:
    """Correct cells; only the touched rows (and the keys they share) are revalidated."""
    corrections = [Correction(c.row_index, c.column, c.value) for c in body.corrections]
    return service.patch_rows(actor, import_id, corrections)


@router.post(
    "/{import_id}/submit",
    response_model=SubmitResult,
    responses={
        200: _json_example("The contract's submit response", examples.SUBMIT_RESULT),
        **session_errors,
    },
)
def submit(
    service: Service,
    actor: CurrentActor,
    idempotency: Idempotency,
    submitter: RunSubmitter,
    background: BackgroundTasks,
    import_id: str,
    body: Annotated[
        SubmitRequest, Body(openapi_examples={"contract": {"value": examples.SUBMIT_REQUEST}})
    ],
    x_partner: Annotated[
        str | None,
        Header(
            description="The integration submitting, recorded as `partner`.", examples=["dcycle"]
        ),
    ] = None,
) -> Response:
    """Hand the cleaned rows to processing; refused while errors remain unless `ignore_errors` is
    true."""
    answer = idempotency.run(
        lambda: service.submit(
            actor,
            import_id,
            ignore_errors=body.ignore_errors,
            partner=x_partner,
            action=body.action,
            duplicate_handling=body.duplicate_handling,
        ),
        status_code=200,
    )
    if submitter is not None:  # after the answer is sent: the caller never waits on Dagster
        background.add_task(submitter.submit, import_id)
    return answer


@router.get(
    "/{import_id}/status", response_model=StatusResponse, responses={404: session_errors[404]}
)
def status(
    service: Service, actor: CurrentActor, import_id: str, request: Request
) -> StatusResponse:
    """The session object plus its processing side and where to download its files."""
    current = service.status(actor, import_id)

    def link(name: str, **params: str) -> str:
        return str(request.url_for(name, import_id=import_id, **params))

    validated = current.errors_by_column is not None
    parsed = current.status not in (SessionStatus.FAILED, SessionStatus.EXPIRED)
    processing = ProcessingSummary(
        processing_status=current.processing_status,
        rows_submitted=current.rows_submitted,
        upload_url=link("download_upload") if current.raw_file_id else None,
        upload_csv_url=link("download_converted_upload", fmt="csv") if parsed else None,
        upload_json_url=link("download_converted_upload", fmt="json") if parsed else None,
        errors_csv_url=link("download_error_report", fmt="csv") if validated else None,
        errors_json_url=link("download_error_report", fmt="json") if validated else None,
        errors_xlsx_url=link("download_error_report", fmt="xlsx") if validated else None,
    )
    return StatusResponse(**current.model_dump(), processing=processing)


@router.post(
    "/{import_id}/rollback",
    response_model=RollbackResult,
    responses=examples.error_responses(404, 409),
)
def rollback(
    service: Service, destination: Destination, actor: KeyHolder, import_id: str
) -> RollbackResult:
    """Put the destination back as it was before this import (`rolling_back`, then `rolled_back`).

    Only for a processed import (`completed` or `partially_completed`); a second rollback answers
    409. When a later import changed the same rows it is refused with 409 `ROLLBACK_CONFLICT` and
    their ids in `later_imports`: roll those back first, newest first.
    """
    return rollback_for(actor, service, destination, import_id)
