"""Reading sessions: one session, a list, the processing status, and the downloads of its files."""

from __future__ import annotations

import math
import mimetypes
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from imports_pipeline.engine.reports import REPORT_FORMATS, error_report
from imports_pipeline.errors import SessionNotFoundError, UnsupportedFileTypeError
from imports_pipeline.sessions.base import SessionUseCases, phase_view
from imports_pipeline.store.session_listing import SessionFilter
from imports_pipeline.views import (
    DownloadableFile,
    ImportSession,
    ImportStatus,
    SessionPage,
    WriteStats,
)
from imports_pipeline.vocabulary import (
    Actor,
    Phase,
    PhaseStatus,
    SessionSort,
    SessionStatus,
    Submission,
)


class ReadingSessions(SessionUseCases):
    def get_session(self, actor: Actor, import_id: str) -> ImportSession:
        return self.view(self.load(actor, import_id))

    def list_sessions(
        self,
        actor: Actor,
        status: SessionStatus | Sequence[SessionStatus] | None = None,
        *,
        page: int = 1,
        size: int = 10,
        sort: SessionSort = SessionSort.CREATED_AT_DESC,
        cursor: str | None = None,
        **filters: Any,
    ) -> SessionPage:
        """Page/size pagination with a total, or keyset pagination with ``cursor`` (stable while
        sessions are made); ``filters`` are ``SessionFilter``'s fields."""
        statuses = (status,) if isinstance(status, SessionStatus) else tuple(status or ())
        wanted = SessionFilter(statuses=statuses, **filters)
        sort = SessionSort(sort)
        listing = self.repository.list_page(
            actor.organization_id, wanted, sort, self.clock(), page, size, cursor
        )
        submitted = [r.id for r in listing.rows if r.submission]
        phases = self.stores.processing.phases_of(submitted) if submitted else {}
        pages = math.ceil(listing.total / size) if listing.total else 0
        current = page if cursor is None else 1
        return SessionPage(
            items=[self.view(r, phases.get(r.id, ())) for r in listing.rows],
            total=listing.total,
            page=current,
            size=size,
            pages=pages,
            next_page=current + 1 if cursor is None and current < pages else None,
            prev_page=current - 1 if cursor is None and 1 < current <= pages + 1 else None,
            start_cursor=cursor,
            next_cursor=listing.next_cursor,
            estimated_remaining_count=listing.estimated_remaining,
            sorted_by=sort,
        )

    def status(self, actor: Actor, import_id: str) -> ImportStatus:
        """The session, its processing status, each phase run so far and the counters they add up
        to."""
        row = self.load(actor, import_id)
        submission = Submission.model_validate(row.submission) if row.submission else None
        phases = self.stores.processing.phases(import_id)
        process = next(
            (p for p in phases if p.phase == Phase.PROCESS and p.status == PhaseStatus.COMPLETED),
            None,
        )
        stats = WriteStats.model_validate(process.detail) if process and process.detail else None
        return ImportStatus(
            **self.view(row, phases).model_dump(),
            rows_submitted=submission.rows_submitted if submission else None,
            stats=stats,
            submission=submission,
            phases=[phase_view(p) for p in phases],
        )

    def original_upload(self, actor: Actor, import_id: str) -> DownloadableFile:
        row = self.load(actor, import_id)
        stored = (
            self.repository.get_file(row.raw_file_id, actor.organization_id)
            if row.raw_file_id
            else None
        )
        if stored is None:
            raise SessionNotFoundError(f"Import {import_id} has no stored upload")
        return DownloadableFile(
            path=self.files.path_of(stored.relative_path),
            file_name=stored.file_name,
            media_type=media_type(stored.file_name),
        )

    def error_report(self, actor: Actor, import_id: str, fmt: str) -> DownloadableFile:
        """The failing rows as CSV, JSON or XLSX, built once per error state and kept next to it."""
        if fmt not in REPORT_FORMATS:
            raise UnsupportedFileTypeError(
                f"error reports come as {', '.join(REPORT_FORMATS)}, not '{fmt}'"
            )
        row = self.load(actor, import_id)
        self.require_validated(row)
        name = f"report.{Path(row.artifacts['errors']).stem}.{fmt}"
        path = self.files.session_dir(import_id) / name
        if not path.exists():
            errors = self.tables.errors(row)
            failing = np.unique(errors["row_index"].to_numpy(dtype=np.int64))
            source = self.files.read_rows(import_id, row.artifacts["parsed"], failing).to_pandas()
            source.index = pd.Index(failing)
            self.files.save_bytes(
                import_id, name, error_report(source, errors, row.mapping or {}, fmt)
            )
        stem = Path(row.file_name).stem
        return DownloadableFile(
            path=path, file_name=f"{stem}.errors.{fmt}", media_type=REPORT_FORMATS[fmt]
        )


def media_type(file_name: str) -> str:
    return mimetypes.guess_type(file_name)[0] or "application/octet-stream"
