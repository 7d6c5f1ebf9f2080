"""What every session use case shares: the stores, the templates, the clock, and loading a session
safely."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from imports_pipeline.engine.validation import ValidationRules
from imports_pipeline.errors import (
    SessionExpiredError,
    SessionNotFoundError,
    StepOutOfOrderError,
    StepTakenOverError,
    UnknownTemplateError,
)
from imports_pipeline.sessions.recovery import recover_abandoned
from imports_pipeline.sessions.tables import SessionTables
from imports_pipeline.settings import Settings
from imports_pipeline.store.files import FileStore
from imports_pipeline.store.repository import SessionRepository
from imports_pipeline.store.stores import Stores
from imports_pipeline.store.tables import ApiKeyRow, ImportSessionRow, ProcessingPhaseRow
from imports_pipeline.templates.catalog import TemplateCatalog
from imports_pipeline.templates.model import ColumnType, Template
from imports_pipeline.views import ImportedBy, ImportSession, ProcessingCounters, ProcessingPhase
from imports_pipeline.vocabulary import (
    UNSUPPORTED_FILE_CODES,
    Actor,
    ActorType,
    LifecycleStatus,
    PhaseStatus,
    ProcessingStatus,
    SessionStatus,
    utc_now,
)

DEFAULT_TTL = timedelta(hours=24)
MAPPABLE_STATES = frozenset({SessionStatus.PARSED, SessionStatus.MAPPED, SessionStatus.VALIDATED})
REVIEWABLE_STATES = frozenset({SessionStatus.VALIDATED})
NEVER_EXPIRES = frozenset({SessionStatus.SUBMITTED, SessionStatus.SUBMITTING})
"""A session handed to processing is kept; every other one expires ``ttl`` after creation."""


class SessionUseCases:
    """The state the use-case modules share; ``ImportService`` combines them."""

    def __init__(
        self,
        stores: Stores,
        catalog: TemplateCatalog,
        settings: Settings | None = None,
        ttl: timedelta = DEFAULT_TTL,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.stores = stores
        self.catalog = catalog
        self.settings = settings or Settings()
        self.ttl = ttl
        self.clock = clock
        self.tables = SessionTables(stores.files)
        self._rules: dict[str, ValidationRules] = {}

    @property
    def repository(self) -> SessionRepository:
        return self.stores.sessions

    @property
    def files(self) -> FileStore:
        return self.stores.files

    def rules_for(self, template: Template) -> ValidationRules:
        """The template's compiled rules (pandera schema, options), built once per process."""
        if template.id not in self._rules:
            options = {
                c.key: self.catalog.options_for(c)
                for c in template.columns
                if c.type is ColumnType.CATEGORY
            }
            self._rules[template.id] = ValidationRules(template, options)
        return self._rules[template.id]

    def finish_step(
        self, import_id: str, lease: Mapping[str, Any] | None, **fields: Any
    ) -> ImportSessionRow:
        """Record a long step's outcome, if the session still holds the lease the step took: a
        step that ran past its lease and was recovered (another read put the session back) must
        not overwrite what came after. Refused then, with what to do."""
        done = self.repository.release_lease(import_id, lease or {}, self.clock(), **fields)
        if done is None:
            raise StepTakenOverError(
                f"Import {import_id}: this step ran past its lease and the session was recovered"
                " meanwhile; its result was not kept. Read the session and run the step again"
            )
        return done

    def abandon_step(self, import_id: str, lease: Mapping[str, Any] | None, **fields: Any) -> None:
        """A failed step puts the session back, unless it was recovered already."""
        self.repository.release_lease(import_id, lease or {}, self.clock(), **fields)

    def check_template_scope(self, actor: Actor, template_id: str) -> None:
        """An embed token's caller knows its own template only: another one is unknown to it."""
        if actor.template_scope in (None, template_id):
            return
        raise UnknownTemplateError(
            f"unknown template '{template_id}'; this token imports into"
            f" '{actor.template_scope}' only",
            template_id=template_id,
        )

    def load(
        self,
        actor: Actor,
        import_id: str,
        allowed: Collection[SessionStatus] | None = None,
        step: str = "",
    ) -> ImportSessionRow:
        """The caller's session; with ``allowed``, refused unless it is in one of those states and
        not expired."""
        found = self.repository.get(import_id, actor.organization_id)
        # Checked before recovery: a session the caller cannot see is not touched on its behalf.
        if actor.template_scope not in (None, found.template_id):
            raise SessionNotFoundError(f"Import session {import_id} not found")
        row = recover_abandoned(self.repository, self.clock, found)
        status = SessionStatus(row.status)
        if allowed is not None and status not in allowed:
            if status in NEVER_EXPIRES:
                raise StepOutOfOrderError(
                    f"Import {import_id} is already {status.value}: it cannot {step} any more"
                )
            if self.is_expired(row):
                raise SessionExpiredError(
                    f"Import {import_id} expired at {row.expires_at.isoformat()}"
                )
            expected = ", ".join(sorted(s.value for s in allowed))
            raise StepOutOfOrderError(
                f"Cannot {step} import {import_id} while it is {status.value} (needs: {expected})"
            )
        if allowed is not None and self.is_expired(row):
            raise SessionExpiredError(f"Import {import_id} expired at {row.expires_at.isoformat()}")
        return row

    def is_expired(self, row: ImportSessionRow) -> bool:
        return row.status not in NEVER_EXPIRES and row.expires_at <= self.clock()

    def require_validated(self, row: ImportSessionRow) -> None:
        """Rows and error reports read the last validation's tables; an expired session's were
        removed."""
        if row.status == SessionStatus.EXPIRED:
            raise SessionExpiredError(
                f"Import {row.id} expired at {row.expires_at.isoformat()}:"
                " its rows were removed (the upload is kept)"
            )
        if "errors" not in row.artifacts:
            raise StepOutOfOrderError(
                f"Import {row.id} has not been validated yet: call validate first"
            )

    def view(
        self,
        row: ImportSessionRow,
        phases: Sequence[ProcessingPhaseRow] = (),
        owners: Mapping[str, ApiKeyRow] | None = None,
    ) -> ImportSession:
        """The session object; ``expired`` is computed, never stored, the counters come from the
        processing ``phases`` run so far, and ``imported_by`` from the key's record (``owners``
        when a page looked them up at once)."""
        fields: dict[str, Any] = {name: getattr(row, name) for name in STORED_FIELDS}
        fields["status"] = (
            SessionStatus.EXPIRED if self.is_expired(row) else SessionStatus(row.status)
        )
        counters = (
            ProcessingCounters.from_phases(row.total_rows, [phase_view(p) for p in phases])
            if row.submission
            else None
        )
        completed = row.processing_status in COMPLETED_PROCESSING
        lifecycle, reason = self.lifecycle(row, fields["status"], phases, counters)
        key_id = row.actor_api_key_id
        if owners is None:
            owners = self.stores.api_keys.owners([key_id] if key_id else [])
        owner = owners.get(key_id) if key_id else None
        fields.update(
            imported_by=ImportedBy(
                id=row.user_id or key_id, full_name=owner.full_name, email=owner.email
            )
            if owner is not None
            else None,
            import_status=lifecycle,
            reason=reason,
            name=row.name or row.file_name,
            type=row.template_id,
            file_size=row.parse_info.get("size_bytes"),
            checksum=row.parse_info.get("sha256"),
            has_upload_file=row.raw_file_id is not None,
            has_errors_file=bool(row.error_rows or (counters and counters.failed_rows)),
            started_at=row.processing_started_at,
            finished_at=row.processing_finished_at,
            completed_at=row.processing_finished_at if completed else None,
            **(counters.model_dump() if counters else {}),
        )
        return ImportSession.model_validate(fields)

    def lifecycle(
        self,
        row: ImportSessionRow,
        status: SessionStatus,
        phases: Sequence[ProcessingPhaseRow],
        counters: ProcessingCounters | None,
    ) -> tuple[LifecycleStatus, str | None]:
        """PackageX's status of the import and, when it did not simply succeed, why."""
        processing = row.processing_status
        if status is SessionStatus.EXPIRED:
            return LifecycleStatus.EXPIRED, f"the session expired at {row.expires_at.isoformat()}"
        if status is SessionStatus.FAILED:
            unreadable = row.parse_info.get("error_code") in UNSUPPORTED_FILE_CODES
            lifecycle = LifecycleStatus.UNSUPPORTED if unreadable else LifecycleStatus.FAILED
            return lifecycle, row.status_detail
        if processing is None:
            stopped = row.actor_type == ActorType.SENSOR and row.status_detail is not None
            lifecycle = LifecycleStatus.INCOMPLETE if stopped else LifecycleStatus.REQUESTED
            return lifecycle, row.status_detail
        if processing == ProcessingStatus.QUEUED:
            return LifecycleStatus.QUEUED, None
        if processing == ProcessingStatus.FAILED:
            return LifecycleStatus.FAILED, row.status_detail or failure_reason(phases)
        if processing in COMPLETED_PROCESSING or processing == ProcessingStatus.ROLLED_BACK:
            left_out = counters.failed_rows if counters else 0
            reason = f"{left_out} rows were left out (see the error file)" if left_out else None
            return LifecycleStatus.COMPLETED, reason
        limit = timedelta(minutes=self.settings.processing_timeout_minutes)
        started = row.processing_started_at
        if started is not None and self.clock() - started > limit:
            minutes = self.settings.processing_timeout_minutes
            return LifecycleStatus.TIMED_OUT, (
                f"processing started at {started.isoformat()} and has not finished within "
                f"{minutes} minutes; see its Dagster run {row.dagster_run_id}"
            )
        return LifecycleStatus.PROCESSING, None


def failure_reason(phases: Sequence[ProcessingPhaseRow]) -> str | None:
    """The failed phase and its error, in one sentence."""
    for phase in phases:
        if phase.status == PhaseStatus.FAILED:
            error = (phase.detail or {}).get("error", "no detail recorded")
            return f"the {phase.phase} phase failed: {error}"
    return None


STORED_FIELDS = [
    name for name in ImportSession.model_fields if name in ImportSessionRow.__table__.c
]
"""The session object's fields that are columns of the session row as they are."""
COMPLETED_PROCESSING = (
    ProcessingStatus.COMPLETED.value,
    ProcessingStatus.PARTIALLY_COMPLETED.value,
)


def phase_view(row: ProcessingPhaseRow) -> ProcessingPhase:
    """One phase row as ``GET /status`` shows it."""
    finished = row.finished_at
    return ProcessingPhase(
        phase=row.phase,
        status=row.status,
        started_at=row.started_at,
        finished_at=finished,
        duration_seconds=(finished - row.started_at).total_seconds() if finished else None,
        rows_in=row.rows_in,
        rows_out=row.rows_out,
        rows_rejected=row.rows_rejected,
        detail=row.detail,
    )
