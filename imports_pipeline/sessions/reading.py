"""Reading sessions: one session, a list, the processing status, and the downloads of its files."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from imports_pipeline.sessions.base import SessionUseCases, phase_view
from imports_pipeline.store.session_listing import SessionFilter
from imports_pipeline.views import (
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
        keys = {r.actor_api_key_id for r in listing.rows if r.actor_api_key_id}
        owners = self.stores.api_keys.owners(keys)
        phases = self.stores.processing.phases_of(submitted) if submitted else {}
        pages = math.ceil(listing.total / size) if listing.total else 0
        current = page if cursor is None else 1
        return SessionPage(
            items=[self.view(r, phases.get(r.id, ()), owners) for r in listing.rows],
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
