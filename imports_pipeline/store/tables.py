"""SQL tables of the session store (metadata only; row data lives in files of the file store).

Alembic migrations in ``migrations/`` create these tables; keep both in step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: sa.JSON, list[Any]: sa.JSON}


class ImportSessionRow(Base):
    """One import session: the contract's session object plus what the engine needs to resume."""

    __tablename__ = "import_sessions"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    organization_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    user_id: Mapped[str | None] = mapped_column(sa.String(64))
    template_id: Mapped[str] = mapped_column(sa.String(64))
    file_name: Mapped[str] = mapped_column(sa.String(512))
    file_type: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16))
    status_detail: Mapped[str | None] = mapped_column(sa.Text)
    numeric_locale: Mapped[str | None] = mapped_column(sa.String(8))
    actor_type: Mapped[str] = mapped_column(sa.String(16))
    actor_api_key_id: Mapped[str | None] = mapped_column(sa.String(36))
    total_rows: Mapped[int] = mapped_column(sa.Integer, default=0)
    valid_rows: Mapped[int] = mapped_column(sa.Integer, default=0)
    error_rows: Mapped[int] = mapped_column(sa.Integer, default=0)
    source_columns: Mapped[list[Any]] = mapped_column(sa.JSON)
    mapping: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    value_mapping: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    errors_by_column: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    submitted_file_id: Mapped[str | None] = mapped_column(sa.String(36))
    processing_job_id: Mapped[str | None] = mapped_column(sa.String(64))
    raw_file_id: Mapped[str | None] = mapped_column(sa.String(36))
    project_id: Mapped[str | None] = mapped_column(sa.String(64))
    folder_id: Mapped[str | None] = mapped_column(sa.String(64))
    selected_sheet: Mapped[str | None] = mapped_column(sa.String(256))
    sheets: Mapped[list[Any]] = mapped_column(sa.JSON)
    detected_header_row: Mapped[int] = mapped_column(sa.Integer, default=0)
    parse_info: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    """Encoding, delimiter, native columns, inferred locales and date orders."""
    artifacts: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    """Names of the current Parquet files of this session;
    swapped in one commit so readers never see half a step."""
    submission: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    processing_status: Mapped[str | None] = mapped_column(sa.String(24))
    name: Mapped[str | None] = mapped_column(sa.String(256))
    note: Mapped[str | None] = mapped_column(sa.Text)
    import_code: Mapped[str | None] = mapped_column(sa.String(16))
    """A short code a person can read out (``IMP-7K3Q9F``), unique within the organization."""
    updated_by: Mapped[str | None] = mapped_column(sa.String(64))
    dagster_run_id: Mapped[str | None] = mapped_column(sa.String(64))
    """The Dagster run that last worked on the import (``processing_job_id`` is set at submit)."""
    processing_started_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    processing_finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    lease: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    """The long step running now (parse, validate, submit), its holder, expiry and the status to
    go back to if its process dies (``store.leases``)."""
    version: Mapped[int] = mapped_column(sa.Integer, default=1)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime)

    __table_args__ = (
        sa.Index("ix_import_sessions_org_created", "organization_id", "created_at", "id"),
        sa.Index("ix_import_sessions_org_status", "organization_id", "status"),
        sa.Index("ix_import_sessions_org_code", "organization_id", "import_code", unique=True),
    )


class StoredFileRow(Base):
    """A file kept in the file store: an upload, a submitted dataset or an error report."""

    __tablename__ = "stored_files"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    organization_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    session_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    file_name: Mapped[str] = mapped_column(sa.String(512))
    relative_path: Mapped[str] = mapped_column(sa.String(1024))
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content_type: Mapped[str | None] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)


class CorrectionRow(Base):
    """A person's correction of one cell: the overlay over the original upload (latest wins)."""

    __tablename__ = "corrections"

    session_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    row_index: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    column: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(sa.JSON, nullable=True)
    corrected_at: Mapped[datetime] = mapped_column(sa.DateTime)


class RememberedMappingRow(Base):
    """A source header an organization confirmed for a template column; ranked first next time."""

    __tablename__ = "remembered_mappings"

    organization_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    template_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    template_column: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    source_column: Mapped[str] = mapped_column(sa.String(512), primary_key=True)
    times_confirmed: Mapped[int] = mapped_column(sa.Integer, default=1)
    last_confirmed_at: Mapped[datetime] = mapped_column(sa.DateTime)


class ApiKeyRow(Base):
    """An API key of one organization (optionally acting as one user); only its sha256 is stored."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    organization_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    user_id: Mapped[str | None] = mapped_column(sa.String(64))
    name: Mapped[str | None] = mapped_column(sa.String(128))
    key_prefix: Mapped[str] = mapped_column(sa.String(16))
    """The first characters of the key, so a person can tell keys apart in a listing."""
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str | None] = mapped_column(sa.String(256))
    """The person the key belongs to, shown as ``imported_by`` on the imports it creates."""
    email: Mapped[str | None] = mapped_column(sa.String(320))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime)


class IdempotencyKeyRow(Base):
    """The first response to an ``Idempotency-Key`` of one organization;
    no response yet means it is running."""

    __tablename__ = "idempotency_keys"

    organization_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    holder: Mapped[str | None] = mapped_column(sa.String(160))
    """The process running the first request (``store.leases``): a dead one frees the key."""
    status_code: Mapped[int | None] = mapped_column(sa.Integer)
    response_body: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)


class ProcessingPhaseRow(Base):
    """One phase of one submitted session's processing run:
    progress and row counts, for ``GET /status``."""

    __tablename__ = "processing_phases"

    session_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    phase: Mapped[str] = mapped_column(sa.String(24), primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(16))
    """running, completed or failed; a re-run of the phase overwrites its row."""
    started_at: Mapped[datetime] = mapped_column(sa.DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    rows_in: Mapped[int | None] = mapped_column(sa.Integer)
    rows_out: Mapped[int | None] = mapped_column(sa.Integer)
    rows_rejected: Mapped[int | None] = mapped_column(sa.Integer)
    detail: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)


class WebhookSubscriptionRow(Base):
    """Where one organization wants to hear about its imports; the secret signs each delivery, so
    unlike an API key it is kept (a receiver checks the signature with the same secret)."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    organization_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    url: Mapped[str] = mapped_column(sa.String(2048))
    events: Mapped[list[Any]] = mapped_column(sa.JSON)
    description: Mapped[str | None] = mapped_column(sa.String(256))
    secret: Mapped[str] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    """Set by DELETE: nothing new is sent; its delivery history stays readable in the database."""


class WebhookDeliveryRow(Base):
    """One event for one subscription, until its receiver answered 2xx or the retries ran out.

    ``event_id`` is the same on every attempt (and in the ``webhook-id`` header), so a receiver
    can drop a repeat: delivery is at least once."""

    __tablename__ = "webhook_deliveries"

    event_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    organization_id: Mapped[str] = mapped_column(sa.String(64))
    event_type: Mapped[str] = mapped_column(sa.String(32))
    import_id: Mapped[str] = mapped_column(sa.String(36))
    body: Mapped[str] = mapped_column(sa.Text)
    """The JSON sent, fixed when the event happened, so a retry sends the same bytes."""
    status: Mapped[str] = mapped_column(sa.String(16))
    """pending, delivered or failed (every attempt used)."""
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(sa.DateTime, index=True)
    last_response: Mapped[str | None] = mapped_column(sa.String(512))
    """The last attempt's HTTP status and the start of its body, or why no answer came."""
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
