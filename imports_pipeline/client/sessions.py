"""The session endpoints: create (sync and async), list, mapping, validate, rows, patch, submit,
status, rollback, and waiting for processing to settle."""

from __future__ import annotations

import io
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import BaseModel

from imports_pipeline.client.errors import ImportsTimeoutError
from imports_pipeline.client.transport import Files, Transport
from imports_pipeline.views import (
    CreatedSession,
    MappingSuggestionResult,
    PatchResult,
    RollbackResult,
    RowsPage,
    SessionPage,
    SubmitResult,
    UniqueValuesResult,
    ValidationResult,
)
from imports_pipeline.vocabulary import (
    SETTLED_PROCESSING,
    DuplicateHandling,
    SessionStatus,
    WriteAction,
)
from imports_pipeline.wire import CorrectionIn, StatusResponse, UploadMode

Upload = Path | str | bytes | BinaryIO
"""A file to upload: a path, its bytes, or an open binary file (read once, sent on each attempt)."""
ENDED_WITHOUT_PROCESSING = (SessionStatus.FAILED, SessionStatus.EXPIRED)


class AsyncUpload(BaseModel):
    """The answer of an ``upload_mode=async`` create: the session, and the signed URL to PUT the
    file to (once, without API-key headers)."""

    import_id: str
    file_name: str
    status: SessionStatus
    upload_mode: str
    upload_url: str
    upload_url_expires_at: datetime


@contextmanager
def opened(upload: Upload) -> Iterator[tuple[str | None, BinaryIO]]:
    """The name (when the upload has one) and a stream of its bytes, read as they are sent
    (a file of any size is never whole in memory); ``rewound`` puts it back at its start
    before each attempt."""
    if isinstance(upload, bytes):
        yield None, io.BytesIO(upload)
    elif isinstance(upload, (str, Path)):
        path = Path(upload)
        with path.open("rb") as stream:
            yield path.name, stream
    else:
        name = getattr(upload, "name", None)
        own_name = Path(name).name if isinstance(name, str) else None
        yield own_name, upload if upload.seekable() else io.BytesIO(upload.read())


def rewound(stream: BinaryIO, start: int) -> BinaryIO:
    stream.seek(start)
    return stream


def blocks(stream: BinaryIO, size: int = 1 << 20) -> Iterator[bytes]:
    """The stream in blocks, for a request body httpx sends as it reads."""
    while block := stream.read(size):
        yield block


def form(values: Mapping[str, str | None]) -> dict[str, str]:
    return {key: value for key, value in values.items() if value is not None}


def without_none(values: Mapping[str, Any]) -> dict[str, Any]:
    """A body of only what the caller gave; the server checks it, so its 422 names the field."""
    return {key: value for key, value in values.items() if value is not None}


class SessionsMixin:
    """One method per session endpoint; answers are the server's own response models."""

    transport: Transport

    def create_session(
        self,
        template_id: str,
        upload: Upload,
        *,
        file_name: str | None = None,
        numeric_locale: str | None = None,
        selected_sheet: str | None = None,
        project_id: str | None = None,
        folder_id: str | None = None,
        name: str | None = None,
        note: str | None = None,
    ) -> CreatedSession:
        """Upload a file and parse it (``POST /v2/imports/sessions``); retried safely under one
        Idempotency-Key, so a lost answer never makes two sessions."""
        with opened(upload) as (own_name, stream):
            return self.send_upload(
                stream,
                file_name or own_name or "upload.csv",
                template_id,
                numeric_locale,
                selected_sheet,
                project_id,
                folder_id,
                name,
                note,
            )

    def send_upload(
        self,
        stream: BinaryIO,
        sent_name: str,
        template_id: str,
        numeric_locale: str | None,
        selected_sheet: str | None,
        project_id: str | None,
        folder_id: str | None,
        name: str | None,
        note: str | None,
    ) -> CreatedSession:
        """The create's request, the upload streamed from ``stream`` on every attempt."""
        start = stream.tell()

        def files() -> Files:
            return {"upload_file": (sent_name, rewound(stream, start), "application/octet-stream")}

        fields = {
            "template_id": template_id,
            "numeric_locale": numeric_locale,
            "selected_sheet": selected_sheet,
            "project_id": project_id,
            "folder_id": folder_id,
            "name": name,
            "note": note,
        }
        response = self.transport.request(
            "POST", "/v2/imports/sessions", idempotent=True, data=form(fields), files=files
        )
        return CreatedSession.model_validate_json(response.content)

    def create_session_async(
        self,
        template_id: str,
        file_name: str,
        *,
        numeric_locale: str | None = None,
        selected_sheet: str | None = None,
        name: str | None = None,
        note: str | None = None,
    ) -> AsyncUpload:
        """Create the session first and send the file later to ``upload_url`` (PackageX's
        ``upload_mode=async``); see ``upload_to``."""
        fields = {
            "template_id": template_id,
            "upload_mode": UploadMode.ASYNC.value,
            "file_name": file_name,
            "numeric_locale": numeric_locale,
            "selected_sheet": selected_sheet,
            "name": name,
            "note": note,
        }
        # No file part, so httpx sends the fields urlencoded: the same bytes on every attempt,
        # which is what the server's idempotency fingerprint compares.
        response = self.transport.request(
            "POST", "/v2/imports/sessions", idempotent=True, data=form(fields)
        )
        return AsyncUpload.model_validate_json(response.content)

    def upload_to(self, upload_url: str, upload: Upload) -> CreatedSession:
        """PUT the file to an async create's signed URL; the answer is the sync create's. Not
        retried after a connection was made: the link works once."""
        with opened(upload) as (_, stream):
            response = self.transport.request(
                "PUT",
                upload_url,
                content=blocks(stream),
                headers={"content-type": "application/octet-stream"},
                authenticated=False,
            )
        return CreatedSession.model_validate_json(response.content)

    def list_sessions(
        self,
        *,
        status: Iterable[SessionStatus | str] | None = None,
        template_id: str | None = None,
        user_id: str | None = None,
        include_expired: bool = False,
        page: int = 1,
        size: int = 10,
        sort: str | None = None,
        cursor: str | None = None,
        **time_filters: datetime,
    ) -> SessionPage:
        """``GET /v2/imports/sessions``; ``time_filters`` are the range parameters by name
        (``created_at_gte=...``, ``updated_at_lt=...``)."""
        params: dict[str, Any] = {"page": page, "size": size}
        if status is not None:
            params["status"] = ",".join(str(s) for s in status)
        extra = {"template_id": template_id, "user_id": user_id, "sort": sort, "cursor": cursor}
        params.update(form(extra))
        if include_expired:
            params["include_expired"] = "true"
        params.update({key: value.isoformat() for key, value in time_filters.items()})
        response = self.transport.request("GET", "/v2/imports/sessions", params=params)
        return SessionPage.model_validate_json(response.content)

    def suggest_mapping(self, import_id: str) -> MappingSuggestionResult:
        response = self.transport.request(
            "POST", f"/v2/imports/{import_id}/mapping/suggest", json={}
        )
        return MappingSuggestionResult.model_validate_json(response.content)

    def unique_values(
        self, import_id: str, mapping: dict[str, str] | None = None, limit: int | None = None
    ) -> UniqueValuesResult:
        body = without_none({"mapping": mapping, "limit": limit})
        response = self.transport.request(
            "POST", f"/v2/imports/{import_id}/unique-values", json=body
        )
        return UniqueValuesResult.model_validate_json(response.content)

    def validate(
        self,
        import_id: str,
        mapping: dict[str, str] | None = None,
        value_mapping: dict[str, dict[str, str]] | None = None,
        *,
        page: int = 1,
        page_size: int = 50,
    ) -> ValidationResult:
        body = without_none({"mapping": mapping, "value_mapping": value_mapping})
        response = self.transport.request(
            "POST",
            f"/v2/imports/{import_id}/validate",
            json=body,
            params={"page": page, "page_size": page_size},
        )
        return ValidationResult.model_validate_json(response.content)

    def rows(
        self, import_id: str, *, page: int = 1, page_size: int = 50, errors_only: bool = False
    ) -> RowsPage:
        params = {"page": page, "page_size": page_size, "errors_only": str(errors_only).lower()}
        response = self.transport.request("GET", f"/v2/imports/{import_id}/rows", params=params)
        return RowsPage.model_validate_json(response.content)

    def patch_rows(
        self, import_id: str, corrections: Iterable[CorrectionIn | Mapping[str, Any]]
    ) -> PatchResult:
        """Correct cells: ``{"row_index": 17, "column": "distance_km", "value": 128.4}`` each.
        Sent as given: the server checks them and names a bad one in an ``ImportsApiError``."""
        sent = [
            c.model_dump(mode="json") if isinstance(c, CorrectionIn) else dict(c)
            for c in corrections
        ]
        response = self.transport.request(
            "PATCH", f"/v2/imports/{import_id}/rows", json={"corrections": sent}
        )
        return PatchResult.model_validate_json(response.content)

    def submit(
        self,
        import_id: str,
        *,
        ignore_errors: bool = False,
        action: WriteAction = WriteAction.MERGE,
        duplicate_handling: DuplicateHandling = DuplicateHandling.IGNORE_ALL,
        partner: str | None = None,
    ) -> SubmitResult:
        """Hand the rows to processing; retried safely under one Idempotency-Key."""
        body = {
            "ignore_errors": ignore_errors,
            "action": str(action),
            "duplicate_handling": str(duplicate_handling),
        }
        response = self.transport.request(
            "POST",
            f"/v2/imports/{import_id}/submit",
            idempotent=True,
            json=body,
            headers=form({"X-Partner": partner}),
        )
        return SubmitResult.model_validate_json(response.content)

    def status(self, import_id: str) -> StatusResponse:
        response = self.transport.request("GET", f"/v2/imports/{import_id}/status")
        return StatusResponse.model_validate_json(response.content)

    def rollback(self, import_id: str) -> RollbackResult:
        response = self.transport.request("POST", f"/v2/imports/{import_id}/rollback")
        return RollbackResult.model_validate_json(response.content)

    def wait_until_processed(
        self, import_id: str, *, timeout: float = 300.0, poll: float = 2.0
    ) -> StatusResponse:
        """Poll ``status`` until processing settled (completed, partially completed, failed,
        rolled back) or the session failed or expired; ``ImportsTimeoutError`` after ``timeout``
        seconds, carrying the last status seen."""
        deadline = time.monotonic() + timeout
        while True:
            current = self.status(import_id)
            if current.processing_status in SETTLED_PROCESSING:
                return current
            if current.status in ENDED_WITHOUT_PROCESSING:
                return current
            left = deadline - time.monotonic()
            if left <= 0:
                raise ImportsTimeoutError(
                    f"import {import_id} not processed after {timeout:g} s: status"
                    f" {current.status}, processing {current.processing_status}",
                    current,
                )
            time.sleep(min(poll, left))
