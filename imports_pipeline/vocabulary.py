"""The domain's words, defined once: statuses, phases, actions, who acts, what was submitted, the
clock.

The bottom of the import graph: this module imports nothing of ours, and every
other module (the API's models included) takes these names from here, so a
status is spelt in one place only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SessionStatus(StrEnum):
    """The contract's session lifecycle; ``expired`` is computed on read until the sweep stores
    it."""

    CREATED = "created"
    PARSED = "parsed"
    MAPPED = "mapped"
    VALIDATING = "validating"
    VALIDATED = "validated"
    SUBMITTING = "submitting"
    SUBMITTED = "submitted"
    FAILED = "failed"
    EXPIRED = "expired"


class ProcessingStatus(StrEnum):
    """The processing side of a submitted session."""

    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    PARTIALLY_COMPLETED = "partially_completed"
    """Some rows reached the destination, some were left out (errors, duplicates, unknown keys)."""
    FAILED = "failed"
    ROLLING_BACK = "rolling_back"
    ROLLED_BACK = "rolled_back"


SETTLED_PROCESSING = (
    ProcessingStatus.COMPLETED,
    ProcessingStatus.PARTIALLY_COMPLETED,
    ProcessingStatus.FAILED,
    ProcessingStatus.ROLLED_BACK,
)
"""Processing statuses no run will change any more."""


class LifecycleStatus(StrEnum):
    """PackageX's status of an import, from request to outcome, derived from the session's and
    its processing's statuses (``import_status``)."""

    REQUESTED = "requested"
    """Created and not yet submitted: the file is being mapped, validated or corrected."""
    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    """Processing started longer ago than the ``processing_timeout_minutes`` setting and has not
    settled."""
    EXPIRED = "expired"
    INCOMPLETE = "incomplete"
    """Fleetio's word: an unattended import that stopped for a person (a required column it could
    not map, errors its folder does not allow)."""
    UNSUPPORTED = "unsupported"
    """Fleetio's word: the file is not a table we can read (binary, corrupt, a format we do not
    take)."""


UNSUPPORTED_FILE_CODES = ("UNREADABLE_FILE", "UNSUPPORTED_FILE_TYPE", "SHEET_TOO_LARGE")
"""Parse failures that make an import ``unsupported`` rather than ``failed``."""


class PhaseStatus(StrEnum):
    """One phase row; a re-run of the phase overwrites it."""

    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class Phase(StrEnum):
    """The processing phases, in the order they run (DESIGN.md's phases table), and the rollback."""

    PARSE = "parse"
    MAP = "map"
    PREVALIDATE = "prevalidate"
    DEDUPE = "dedupe"
    TRANSFORM = "transform"
    VALIDATE = "validate"
    PROCESS = "process"
    CLEANUP = "cleanup"
    ROLLBACK = "rollback"
    """Recorded after the processing phases when an import is rolled back; not part of a run."""


PHASE_ORDER = (
    Phase.PARSE,
    Phase.MAP,
    Phase.PREVALIDATE,
    Phase.DEDUPE,
    Phase.TRANSFORM,
    Phase.VALIDATE,
    Phase.PROCESS,
    Phase.CLEANUP,
)
"""The phases of one processing run, in order."""


class WriteAction(StrEnum):
    """What ``process`` does with the rows (the submit body's ``action``)."""

    MERGE = "merge"
    OVERWRITE = "overwrite"
    """Merge, then delete the organization's rows that the file does not hold."""
    DELETE = "delete"


class DuplicateHandling(StrEnum):
    """Rows of one file sharing a key: ``ignore_all`` drops every copy, ``use_first`` keeps the
    first."""

    IGNORE_ALL = "ignore_all"
    USE_FIRST = "use_first"


class RowOutcome(StrEnum):
    """What the destination write did to one row."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    """Also a ``delete`` of a key the destination does not hold: there was nothing to do."""
    DELETED = "deleted"


class SessionSort(StrEnum):
    """How a list of sessions is ordered; ``-`` is newest first."""

    CREATED_AT_DESC = "-created_at"
    CREATED_AT = "created_at"
    UPDATED_AT_DESC = "-updated_at"
    UPDATED_AT = "updated_at"
    ID_DESC = "-id"
    ID = "id"


CURSOR_PATTERN = (
    r"^[0-9]{1,16}\.[0-9]{1,16}\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)
"""A list cursor: created microseconds . updated microseconds . session id (16 digits reach
past year 2200). The API declares it and the store decodes it, so both read it from here."""


class TimeRange(BaseModel):
    """A range filter on a timestamp (Fleetio-style lt/lte/gt/gte); every bound optional."""

    lt: datetime | None = None
    lte: datetime | None = None
    gt: datetime | None = None
    gte: datetime | None = None


class ActorType(StrEnum):
    USER = "user"
    API_KEY = "api_key"
    SENSOR = "sensor"
    SYSTEM = "system"


class FileKind(StrEnum):
    """What a stored file is."""

    UPLOAD = "upload"
    SUBMITTED = "submitted"


class DropOutcome(StrEnum):
    """What became of one dropped (or batch) file."""

    SUBMITTED = "submitted"
    NEEDS_ATTENTION = "needs_attention"
    """The session is kept and a person must act (a required column unmapped, errors not
    allowed)."""
    FAILED = "failed"
    """No usable session (the file could not be read, the folder's settings are broken)."""


class WebhookEvent(StrEnum):
    """What a webhook subscription can be told about an import."""

    COMPLETED = "import.completed"
    """Processing finished and rows reached the destination (``completed`` or
    ``partially_completed``: the payload's counts say which rows were left out)."""
    FAILED = "import.failed"
    """Processing failed for good (no retry left), or a dropped file could not be read."""
    NEEDS_REVIEW = "import.needs_review"
    """An unattended import (a dropped or batch file) stopped for a person: its mapping is not
    confident enough, or its rows have errors the folder does not allow. The session is kept."""


class DeliveryStatus(StrEnum):
    """Where one webhook delivery stands."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    """Every attempt used without a 2xx answer."""


@dataclass(frozen=True)
class Actor:
    """Who is calling: the organization is the tenant boundary of every use case."""

    organization_id: str
    user_id: str | None = None
    actor_type: str = ActorType.USER.value
    api_key_id: str | None = None
    template_scope: str | None = None
    """Set for an embed token's caller: the one template it may see and import into; any other
    template and its sessions are, to it, not found."""

    @property
    def acting_id(self) -> str | None:
        """Who to record as having made a change: the user, else the API key."""
        return self.user_id or self.api_key_id


@dataclass(frozen=True)
class Correction:
    """A person's new value for one cell."""

    row_index: int
    column: str
    value: Any


class Submission(BaseModel):
    """What ``submit`` recorded for processing.

    Stored as JSON on the session and shown by ``GET /status``.
    """

    model_config = ConfigDict(extra="ignore")
    """Submissions stored by an earlier version may carry keys this one no longer has."""

    ignore_errors: bool = False
    partner: str | None = None
    rows_submitted: int
    submitted_by: str | None = None
    submitted_at: str
    action: WriteAction = WriteAction.MERGE
    duplicate_handling: DuplicateHandling = DuplicateHandling.IGNORE_ALL
    processing_files_removed_at: str | None = Field(
        default=None,
        description="When the sweep removed the processing hand-off tables (re-run inputs).",
    )

    def stored(self) -> dict[str, Any]:
        """The JSON the session row keeps; the sweep's marker only once it is set."""
        unset = (
            {"processing_files_removed_at"} if self.processing_files_removed_at is None else set()
        )
        return self.model_dump(mode="json", exclude=unset)


def utc_now(microseconds: bool = False) -> datetime:
    """The one clock: naive UTC, as stored.

    Whole seconds by default, as the contract's examples show timestamps;
    ``microseconds=True`` for phase timings, which are often under a second.
    """
    now = datetime.now(UTC).replace(tzinfo=None)
    return now if microseconds else now.replace(microsecond=0)


def success_rate(processed_rows: int, total_rows: int) -> float:
    """Processed rows in percent of the file's rows, 2 decimals; an empty file is 100% processed."""
    return round(100 * processed_rows / total_rows, 2) if total_rows else 100.0
