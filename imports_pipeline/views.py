"""What the use cases return: pydantic models shaped exactly like the contract's JSON.

The HTTP layer serialises these as they are, so a field name here is a field
name on the wire (Dcycle Imports API v2, ``../shared/seeds/000`` and ``001``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, WithJsonSchema

from imports_pipeline.vocabulary import (
    ActorType,
    DuplicateHandling,
    LifecycleStatus,
    Phase,
    PhaseStatus,
    ProcessingStatus,
    SessionSort,
    SessionStatus,
    Submission,
    success_rate,
)

NaiveUTC = Annotated[
    datetime,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$",
            "description": "UTC without a zone, as the contract shows them: 2026-04-08T14:05:12",
            "examples": ["2026-04-08T14:05:12"],
        }
    ),
]
"""A timestamp as sent: naive UTC. Declared as what it is, not as RFC 3339's date-time, which
requires a zone."""


class ImportedBy(BaseModel):
    """Leadsy's ``imported_by``: the person behind the key that created the import."""

    id: str | None = Field(description="The user id, else the API key's id.")
    full_name: str | None
    email: str | None


class ImportSession(BaseModel):
    """The session object of the List Import Sessions document, every field, and what the other
    reference documents add: a name and note, a code a person can read out, the upload's size and
    checksum, who last changed it, and the processing outcome with its counters."""

    id: str
    organization_id: str
    user_id: str | None
    template_id: str
    file_name: str
    file_type: str
    status: SessionStatus
    numeric_locale: str | None
    actor_type: ActorType
    actor_api_key_id: str | None
    total_rows: int
    valid_rows: int
    error_rows: int
    source_columns: list[str]
    mapping: dict[str, str] | None
    errors_by_column: dict[str, int] | None
    status_detail: str | None
    submitted_file_id: str | None
    processing_job_id: str | None
    raw_file_id: str | None
    project_id: str | None
    folder_id: str | None
    selected_sheet: str | None
    detected_header_row: int
    expires_at: NaiveUTC
    created_at: NaiveUTC
    updated_at: NaiveUTC
    name: str | None = Field(description="A name for people; the file name when none was given.")
    note: str | None
    import_code: str | None = Field(description="A short code a person can read out.")
    type: str = Field(description="What is imported: the template (Fleetio's `type`).")
    file_size: int | None = Field(description="Bytes of the upload as received.")
    checksum: str | None = Field(description="sha256 of the upload, hex.")
    has_upload_file: bool
    has_errors_file: bool = Field(description="True only when rows have errors or were left out.")
    updated_by: str | None = Field(description="The user (or API key) that last changed it.")
    processing_status: ProcessingStatus | None
    processed_rows: int | None = Field(
        default=None, description="Rows of the file the process phase applied; null until then."
    )
    failed_rows: int | None = Field(
        default=None, description="Rows left out so far: errors, duplicates, unknown keys."
    )
    success_rate: float | None = Field(
        default=None, description="processed_rows / total_rows in percent, 2 decimals."
    )
    started_at: NaiveUTC | None = Field(description="When a processing run last started.")
    finished_at: NaiveUTC | None = Field(description="When processing last settled or failed.")
    completed_at: NaiveUTC | None = Field(
        description="finished_at, once processing completed (fully or partially)."
    )
    dagster_run_id: str | None = Field(description="The Dagster run that last worked on it.")
    imported_by: ImportedBy | None = Field(
        description="Who created it (from the API key's owner); null for unattended imports."
    )
    import_status: LifecycleStatus = Field(
        description="PackageX's status: requested, queued, processing, completed, failed, "
        "timed_out or expired; or Fleetio's incomplete (an unattended import stopped for a "
        "person) and unsupported (a file that is not a table we read)."
    )
    reason: str | None = Field(
        description="Why the import failed, timed out or left rows out, in one sentence."
    )


class SessionPage(BaseModel):
    items: list[ImportSession]
    total: int
    page: int
    size: int
    pages: int
    next_page: int | None = Field(default=None, description="The page after this one, if any.")
    prev_page: int | None = Field(default=None, description="The page before this one, if any.")
    start_cursor: str | None = Field(
        default=None, description="The cursor this page was asked with (null on a first page)."
    )
    next_cursor: str | None = Field(
        default=None,
        description=(
            "Opaque keyset cursor for the next page; stable while new sessions are created."
        ),
    )
    estimated_remaining_count: int = Field(
        default=0, description="Sessions after this page, counted up to 500."
    )
    filtered_by: dict[str, Any] = Field(
        default_factory=dict, description="The filters that narrowed the list."
    )
    sorted_by: SessionSort = SessionSort.CREATED_AT_DESC


class CreatedSession(BaseModel):
    """The create response of the overview document."""

    import_id: str
    file_name: str
    total_rows: int
    numeric_locale: str | None
    sheets: list[str]
    selected_sheet: str | None
    detected_header_row: int
    source_columns: list[str]
    sample_rows: list[list[str | None]]
    inferred_numeric_locales: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "When no numeric_locale was given: "
            "the convention inferred for each numeric-looking source column."
        ),
    )


class UploadRequested(BaseModel):
    """The create answer of ``upload_mode=async`` (PackageX): the session, and where to send
    its file."""

    import_id: str
    file_name: str
    status: SessionStatus
    upload_mode: str = "async"
    upload_token: str = Field(exclude=True)
    upload_url: str | None = Field(
        default=None,
        description="PUT the file's bytes here, once, without API-key headers; parsing starts "
        "when the upload is complete.",
    )
    upload_url_expires_at: NaiveUTC


class MappingCandidate(BaseModel):
    source_column: str
    score: float


class MappingColumnSuggestion(BaseModel):
    template_column: str
    source_column: str | None
    score: float
    reason: str
    candidates: list[MappingCandidate]


class MappingSuggestionResult(BaseModel):
    import_id: str
    mapping: dict[str, str] = Field(
        description="Template column → source column, in the shape validate takes."
    )
    suggestions: list[MappingColumnSuggestion]
    unmapped_required: list[str]


class UniqueValue(BaseModel):
    raw_value: str
    count: int
    is_valid: bool
    suggested_option: str | None
    score: float
    candidates: list[str] = Field(
        default_factory=list,
        description="Options the value might mean, best first; an ambiguous value has no "
        "suggested_option but two or more candidates.",
    )


class UniqueValuesResult(BaseModel):
    import_id: str
    columns: dict[str, list[UniqueValue]]


class RowError(BaseModel):
    column: str
    code: str
    message: str
    value: str | None


class RowView(BaseModel):
    row_index: int
    spreadsheet_row: int
    """The row number the person's spreadsheet shows (header offset included; a CSV's first data
    row is 2), beside the contract's 0-based ``row_index``."""
    values: dict[str, Any]
    errors: list[RowError]
    is_valid: bool


class RowsPage(BaseModel):
    import_id: str
    page: int
    page_size: int
    total: int
    pages: int
    errors_only: bool
    rows: list[RowView]


class DuplicatesLeftOut(BaseModel):
    rows: int
    keys: int = Field(description="Distinct keys among those rows.")


class ValidationResult(BaseModel):
    import_id: str
    status: SessionStatus
    total_rows: int
    valid_rows: int
    error_rows: int
    errors_by_column: dict[str, int]
    detected: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Per template column: what was inferred (numeric locale, date order).",
    )
    page: int
    page_size: int
    pages: int
    rows: list[RowView]
    left_out_by_duplicate_handling: dict[DuplicateHandling, DuplicatesLeftOut] = Field(
        default_factory=dict,
        description="What each submit duplicate_handling would leave out of the rows without "
        "errors: ignore_all every copy of a repeated key, use_first all but the first.",
    )


class PatchResult(BaseModel):
    import_id: str
    updated_rows: list[RowView]
    valid_rows: int
    error_rows: int
    remaining_errors: int
    errors_by_column: dict[str, int]


class SubmitResult(BaseModel):
    """The submit answer of the overview document."""

    status: ProcessingStatus = Field(
        description="`processing`: the import was handed to processing (see GET /status)."
    )
    file_id: str
    processing_job_id: str
    rows_submitted: int


class ProcessingPhase(BaseModel):
    """One phase of the processing run (dedupe, transform, validate, process, ...), as last run."""

    phase: Phase
    status: PhaseStatus
    started_at: NaiveUTC
    finished_at: NaiveUTC | None
    duration_seconds: float | None
    rows_in: int | None
    rows_out: int | None
    rows_rejected: int | None
    detail: dict[str, Any] | None


class ProcessingCounters(BaseModel):
    """How many of the file's rows reached the destination,
    derived from the phases so they never disagree."""

    processed_rows: int | None = Field(
        description="Rows of the file the process phase applied; null until it has run."
    )
    failed_rows: int = Field(
        description="Rows left out so far: errors not fixed, duplicates dropped, unknown keys."
    )
    success_rate: float | None = Field(
        description="processed_rows / total_rows in percent, 2 decimals; null until processed."
    )

    @classmethod
    def from_phases(cls, total_rows: int, phases: list[ProcessingPhase]) -> ProcessingCounters:
        completed = {p.phase: p for p in phases if p.status is PhaseStatus.COMPLETED}
        failed = sum(p.rows_rejected or 0 for p in completed.values())
        process = completed.get(Phase.PROCESS)
        processed = process.rows_out if process is not None else None
        rate = None if processed is None else success_rate(processed, total_rows)
        return cls(processed_rows=processed, failed_rows=failed, success_rate=rate)


class WriteStats(BaseModel):
    """PackageX's stats: what the process phase did to the destination's rows."""

    created: int
    updated: int
    unchanged: int
    deleted: int


class ImportStatus(ImportSession):
    """The session object plus the processing side once it has been submitted."""

    rows_submitted: int | None
    stats: WriteStats | None = Field(
        description="What processing did to the destination; null until the process phase ran."
    )
    submission: Submission | None
    phases: list[ProcessingPhase] = Field(
        default_factory=list, description="Each processing phase run so far, in order."
    )


class RollbackResult(BaseModel):
    """What ``POST /v2/imports/{import_id}/rollback`` answers."""

    import_id: str
    processing_status: ProcessingStatus = Field(description="rolled_back")
    rows_removed: int = Field(
        description="Rows the import had created, now deleted from the destination."
    )
    rows_restored: int = Field(
        description="Rows the import had updated or deleted, now back as they were before it."
    )


class SignedDownload(BaseModel):
    """What a signed report link carries: the edge turns it into a URL."""

    import_id: str
    fmt: str
    expires: int
    """Unix seconds after which the link is refused."""
    signature: str


class DownloadableFile(BaseModel):
    path: Path
    file_name: str
    media_type: str
