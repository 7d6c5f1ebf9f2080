"""A session whose long step lost its process goes back to its last whole state.

Parse, validate and submit hold a lease (``store.leases``) while they run. When its holder is
gone (a process of this host that died) or the lease expired, the next read of the session, or
the hourly sweep, takes it back: a create whose parse died is ``failed`` with the reason (the
upload is kept); a validate or submit goes back to the status it started from. Every step
moves the session's table pointers only when it succeeds, so the state it goes back to is whole.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from imports_pipeline.store.leases import lease_is_abandoned
from imports_pipeline.store.repository import SessionRepository
from imports_pipeline.store.tables import ImportSessionRow
from imports_pipeline.vocabulary import SessionStatus

PARSE, VALIDATE, SUBMIT = "parse", "validate", "submit"


def recover_abandoned(
    repository: SessionRepository, clock: Callable[[], datetime], row: ImportSessionRow
) -> ImportSessionRow:
    """``row``, or ``row`` taken back from a step whose process is gone."""
    now = clock()
    lease = row.lease
    if lease is None or not lease_is_abandoned(lease, now):
        return row
    step = lease["step"]
    when = lease["until"]
    if step == PARSE:
        fields = {
            "status": SessionStatus.FAILED.value,
            "status_detail": "the server stopped while it read the upload; the file is kept,"
            " create the session again to import it",
        }
    else:
        fields = {
            "status": lease["resume_status"],
            "status_detail": f"the server stopped during {step} (its lease ran to {when});"
            f" nothing of that {step} was kept: run it again",
        }
    recovered = repository.release_lease(row.id, lease, now, **fields)
    return recovered if recovered is not None else repository.get(row.id, row.organization_id)
