"""The API's wire models: request bodies, the few responses that only exist on the wire, and the
download formats.

Shared by the server (``api``) and the Python client (``client``), so neither has to import the
other. Responses are otherwise the use cases' own models (``imports_pipeline.views``), which
already have the contract's field names.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from imports_pipeline.templates.model import Option
from imports_pipeline.views import ImportStatus, NaiveUTC
from imports_pipeline.vocabulary import (
    CURSOR_PATTERN,
    DuplicateHandling,
    ProcessingStatus,
    SessionSort,
    SessionStatus,
    WriteAction,
)


def _encodable(text: str) -> str:
    """JSON escapes can spell a lone UTF-16 surrogate (``"\\ud800"``), which no UTF-8 file or
    database can store; PostgreSQL's text cannot hold NUL either."""
    if "\x00" in text:
        raise ValueError(f"contains a NUL character at character {text.index(chr(0))}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(
            f"contains a lone surrogate (\\u{ord(text[error.start]):04x})"
            f" at character {error.start}: not valid Unicode text"
        ) from None
    return text


NO_NUL_PATTERN = "^[^\\x00]*$"


class _DeclaredStorable:
    """Says in the schema what ``_encodable`` refuses of a text a tool can send: NUL. (A lone
    surrogate cannot be written as a pattern every tool reads alike; it stays a 422 alone.)"""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema.setdefault("pattern", NO_NUL_PATTERN)
        return schema


Text = Annotated[str, AfterValidator(_encodable), _DeclaredStorable]
"""A string that can be stored: refuses lone surrogates and NUL instead of failing later with a
500."""


def declare_text_keys(schema: Any) -> None:
    """Pydantic writes a ``dict[Text, V]`` as ``patternProperties`` {no NUL: V}, which leaves a key
    with NUL unconstrained, so allowed; the server refuses it. Said truthfully instead: every key
    matches (``propertyNames``) and every value is a V. Rewrites an OpenAPI document in place."""
    if isinstance(schema, dict):
        patterns = schema.get("patternProperties")
        if isinstance(patterns, dict) and list(patterns) == [NO_NUL_PATTERN]:
            schema["additionalProperties"] = schema.pop("patternProperties")[NO_NUL_PATTERN]
            schema["propertyNames"] = {"pattern": NO_NUL_PATTERN}
        for value in schema.values():
            declare_text_keys(value)
    elif isinstance(schema, list):
        for item in schema:
            declare_text_keys(item)


JsonScalar = Text | int | Annotated[float, Field(allow_inf_nan=False)] | bool | None
"""NaN and ±Infinity (which Python's JSON parser accepts, as it does 1e400) are refused: no column
holds them."""

MAX_PAGE = 1_000_000_000
"""Page numbers stop here, so ``(page - 1) * page_size`` stays far inside a 64-bit integer (NumPy,
SQL OFFSET)."""


class ErrorBody(BaseModel):
    """Every error: the contract's message and stable code, RFC 7807's problem fields, and
    sometimes context (``fields``, ``error_rows``, …)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="A URI per error code: `urn:imports-pipeline:error:<code>`.")
    title: str = Field(description="The HTTP status in words.")
    status: int
    detail: str | list[dict[str, Any]] = Field(
        description="A message, or FastAPI's list of parameter errors (loc, msg, type)."
    )
    instance: str = Field(description="The path of the request that failed.")
    code: str


class UploadMode(StrEnum):
    """PackageX's upload modes: the file with the create, or sent afterwards to a signed URL."""

    SYNC = "sync"
    ASYNC = "async"


class ReportFormat(StrEnum):
    """Error report downloads: ``/files/errors.{fmt}``."""

    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"


class UploadFormat(StrEnum):
    """The upload converted: ``/files/upload.{fmt}``."""

    CSV = "csv"
    JSON = "json"


class SuggestMappingRequest(BaseModel):
    """No options yet; the contract sends ``{}``."""


class UniqueValuesRequest(BaseModel):
    mapping: dict[Text, Text] | None = Field(
        default=None,
        description="Template column → source column; defaults to the session's last mapping.",
    )
    limit: int | None = Field(
        default=None,
        ge=1,
        description="At most this many distinct values per column, most frequent first.",
    )


class ValidateRequest(BaseModel):
    mapping: dict[Text, Text] | None = Field(
        default=None,
        description="Template column → source column, as `mapping/suggest` returns it.",
    )
    value_mapping: dict[Text, dict[Text, Text]] | None = Field(
        default=None,
        description=(
            "Per category column: raw value → option value,"
            ' e.g. `{"origin_country": {"Narnia": "PT"}}`.'
        ),
    )


class CorrectionIn(BaseModel):
    row_index: int = Field(ge=0)
    column: Text = Field(description="A template column key.")
    value: JsonScalar = Field(
        description=(
            "A JSON number is taken as that number; a string is read with the column's conventions"
            ' (`"1.234,5"` in es_ES).'
        )
    )


class PatchRowsRequest(BaseModel):
    corrections: list[CorrectionIn] = Field(min_length=1)


class SubmitRequest(BaseModel):
    ignore_errors: bool = Field(
        default=False, description="Submit the valid rows even though some rows still have errors."
    )
    action: WriteAction = Field(
        default=WriteAction.MERGE,
        description=(
            "`merge` upserts; `overwrite` upserts then deletes the rest of the scope;"
            " `delete` removes the keys."
        ),
    )
    duplicate_handling: DuplicateHandling = Field(
        default=DuplicateHandling.IGNORE_ALL,
        description=(
            "Repeated keys in the file: `ignore_all` drops every copy, `use_first` keeps the first."
        ),
    )


_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def _not_a_number(value: Any) -> Any:
    """Pydantic reads a bare number as a Unix time (``updated_at_lte=0.5`` was 1970); a filter
    takes ISO 8601 only, so a client's mistake is refused rather than answered wrongly."""
    if isinstance(value, (int, float)) or (isinstance(value, str) and _NUMBER.match(value)):
        raise ValueError(
            "a timestamp in ISO 8601 (2026-04-08T14:05:12, a zone optional), not a number"
        )
    return value


QueryTime = Annotated[datetime, BeforeValidator(_not_a_number)]


def _comma_separated(value: Any) -> Any:
    """``a,b`` and repeated parameters alike become one list; an empty item stays, to be refused
    as no status at all (``status=`` is a mistake, not "any status")."""
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    return [part.strip() for item in items for part in str(item).split(",")]


class SessionListQuery(BaseModel):
    """Filters of `GET /v2/imports/sessions`: the contract's, plus Fleetio-style ranges, sort and a
    keyset cursor."""

    status: Annotated[list[SessionStatus] | None, BeforeValidator(_comma_separated)] = Field(
        default=None,
        description="Filter by session status; several as `status=parsed,validated` (any of them).",
        examples=["validated"],
    )
    status_include: Annotated[list[SessionStatus] | None, BeforeValidator(_comma_separated)] = (
        Field(
            default=None,
            alias="filter[status][include]",
            description="Fleetio's spelling of several statuses: `filter[status][include]=a,b`.",
        )
    )
    id_eq: Text | None = Field(default=None, description="Only the session with this id.")
    template_id: Text | None = Field(
        default=None, description="Filter by import template.", examples=["logistics_requests"]
    )
    user_id: Text | None = Field(default=None, description="Only sessions created by this user.")
    include_expired: bool = Field(
        default=False, description="Include sessions past their `expires_at`."
    )
    page: int = Field(
        default=1, ge=1, le=MAX_PAGE, description="Page number (ignored when `cursor` is given)."
    )
    size: int = Field(default=10, ge=1, le=100, description="Items per page (1–100).")
    per_page: int | None = Field(
        default=None, ge=2, le=100, description="Fleetio's name for `size` (2–100); wins over it."
    )
    created_at_gte: QueryTime | None = Field(
        default=None, description="Created at or after (ISO 8601; naive means UTC)."
    )
    created_at_gt: QueryTime | None = Field(default=None, description="Created strictly after.")
    created_at_lte: QueryTime | None = Field(default=None, description="Created at or before.")
    created_at_lt: QueryTime | None = Field(default=None, description="Created strictly before.")
    updated_at_gte: QueryTime | None = Field(default=None, description="Updated at or after.")
    updated_at_gt: QueryTime | None = Field(default=None, description="Updated strictly after.")
    updated_at_lte: QueryTime | None = Field(default=None, description="Updated at or before.")
    updated_at_lt: QueryTime | None = Field(default=None, description="Updated strictly before.")
    file_processed_at_gteq: QueryTime | None = Field(
        default=None, description="Processing settled at or after (Leadsy's spelling)."
    )
    file_processed_at_gt: QueryTime | None = Field(default=None, description="Settled after.")
    file_processed_at_lteq: QueryTime | None = Field(default=None, description="At or before.")
    file_processed_at_lt: QueryTime | None = Field(default=None, description="Strictly before.")
    sort: SessionSort = Field(
        default=SessionSort.CREATED_AT_DESC,
        description="`created_at`, `updated_at` or `id`; `-` first for descending.",
    )
    cursor: str | None = Field(
        default=None,
        pattern=CURSOR_PATTERN,
        description=(
            "The `next_cursor` of the previous page: keyset pagination, stable while sessions are"
            " created. It names the position after a session (created and updated time in"
            " microseconds, then its id), so it continues any sort after that session."
        ),
    )


class ProcessingSummary(BaseModel):
    """The processing side of a session, with download links in PackageX's naming."""

    model_config = ConfigDict(populate_by_name=True)

    processing_status: ProcessingStatus | None
    rows_submitted: int | None
    upload_url: str | None = Field(
        alias="_upload_url", description="The original upload, byte for byte."
    )
    upload_csv_url: str | None = Field(
        alias="_upload_csv_url", description="The upload converted to CSV."
    )
    upload_json_url: str | None = Field(
        alias="_upload_json_url", description="The upload converted to JSON records."
    )
    errors_csv_url: str | None = Field(
        alias="_errors_csv_url", description="Failing rows with their errors, once validated."
    )
    errors_json_url: str | None = Field(alias="_errors_json_url")
    errors_xlsx_url: str | None = Field(alias="_errors_xlsx_url")


class StatusResponse(ImportStatus):
    processing: ProcessingSummary


class OptionsResult(BaseModel):
    source_key: str
    options: list[Option]


class EmbedTokenRequest(BaseModel):
    """What an embed token is for: one template of the caller's organization, for a while."""

    model_config = ConfigDict(extra="forbid")
    template_id: Text = Field(min_length=1, description="The only template the token imports into.")
    minutes: int = Field(default=15, ge=1, le=60, description="How long the token works (1-60).")


class EmbedToken(BaseModel):
    token: str = Field(description="Send as `Authorization: Bearer <token>`.")
    expires_at: NaiveUTC
    organization_id: str
    template_id: str
    importer_url: str = Field(description="The web importer on this token, for an iframe's src.")
