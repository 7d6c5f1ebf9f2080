"""Freeing the files sessions no longer need: the sweep Dagster's hourly schedule runs.

A session never submitted is dead once past ``expires_at`` (reads already answer
``expired``): its temporary tables (``parsed``, ``rows``, ``overlay``, ``errors``) and
error reports go, its ``artifacts`` are cleared and ``expired`` is stored. The
original upload stays, so it can still be downloaded. A processed session keeps
its hand-off tables (``processing.<phase>.arrow``) for a while so any phase can
be re-run from the Dagster UI; after ``processed_retention`` they go too. The
error file and the rejected-rows tables stay: they are the record of why rows
were left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from filelock import Timeout

from imports_pipeline.processing.hand_offs import hand_off_name, legacy_hand_off_name
from imports_pipeline.sessions import ImportService
from imports_pipeline.sessions.recovery import recover_abandoned
from imports_pipeline.vocabulary import PHASE_ORDER, SETTLED_PROCESSING, SessionStatus, Submission

DEFAULT_PROCESSED_RETENTION = timedelta(days=7)
SESSION_TABLES = ("parsed", "rows", "overlay", "errors")
TEMPORARY_FILES = (*(f"{stem}.*.parquet" for stem in SESSION_TABLES), "report.*")
"""Globs of an unsubmitted session's temporary files; the upload (``upload.<ext>``) matches none."""
NEVER_EXPIRE = (SessionStatus.SUBMITTING, SessionStatus.SUBMITTED, SessionStatus.EXPIRED)
HAND_OFF_REMOVED = "processing_files_removed_at"
"""The ``Submission`` field the sweep sets once a session's hand-off tables are gone, so it never
visits it again."""
LOCK_WAIT_SECONDS = 5.0
"""A session someone is writing right now is left for the next sweep rather than holding this one
up."""


@dataclass(frozen=True)
class ExpiryOutcome:
    sessions_expired: int
    temporary_files_removed: int
    processed_sessions_cleaned: int
    hand_off_files_removed: int
    sessions_busy: int
    """Sessions skipped because a writer held their lock; the next sweep retries them."""


def expire_sessions(
    service: ImportService,
    now: datetime,
    processed_retention: timedelta = DEFAULT_PROCESSED_RETENTION,
) -> ExpiryOutcome:
    """One sweep over every organization's sessions; safe to run again at any time."""
    for leased in service.repository.leased():  # steps whose process died, before anything else
        recover_abandoned(service.repository, lambda: now, leased)
    expired = removed = busy = 0
    for candidate in service.repository.expired_before(now, NEVER_EXPIRE):
        try:
            with service.tables.lock(candidate.id).acquire(timeout=LOCK_WAIT_SECONDS):
                row = service.repository.get(candidate.id, candidate.organization_id)
                if row.status in NEVER_EXPIRE or row.expires_at > now:
                    continue  # submitted (or extended) while we waited for the lock
                service.repository.update(
                    row.id, now, status=SessionStatus.EXPIRED.value, artifacts={}
                )
                removed += service.files.remove_matching(row.id, TEMPORARY_FILES)
                expired += 1
        except Timeout:
            busy += 1
    cleaned = hand_offs = 0
    store = service.stores.processing
    hand_off_files = [
        name(phase) for phase in PHASE_ORDER for name in (hand_off_name, legacy_hand_off_name)
    ]
    settled = store.settled_before(
        now - processed_retention, SETTLED_PROCESSING, unless_marked=HAND_OFF_REMOVED
    )
    for row in settled:
        hand_offs += service.files.remove_matching(row.id, hand_off_files)
        marked = Submission.model_validate(row.submission).model_copy(
            update={HAND_OFF_REMOVED: now.isoformat()}
        )
        store.update_session(row.id, now, submission=marked.stored())
        cleaned += 1
    return ExpiryOutcome(expired, removed, cleaned, hand_offs, busy)


@dataclass(frozen=True)
class PartitionSweep:
    """Which Dagster partitions (one per import) the sweep may remove."""

    retired: list[str]
    """Sessions whose hand-off tables are gone, or that expired: no run can use them again."""
    without_session: list[str]
    """Dropped files whose run stopped before a session existed; the caller removes these once
    their runs ended long enough ago (it knows the runs, this module does not)."""


def partitions_to_remove(service: ImportService, partition_keys: list[str]) -> PartitionSweep:
    """Which of the partitions are past use. Partitions of live sessions, submitted ones still
    within retention included (they can be re-executed from the UI), stay."""
    retired, missing = service.stores.processing.retired(
        partition_keys, HAND_OFF_REMOVED, SessionStatus.EXPIRED.value
    )
    return PartitionSweep(
        retired=[key for key in partition_keys if key in retired],
        without_session=[key for key in partition_keys if key in missing],
    )
