"""Which event a finished import run means, and its deliveries queued for every subscriber.

Called by the run-status sensors with what the run's tags say. The event id comes from the
import, the event and the run's chain (its root run), so the sensor seeing one run twice, or a
retry of the run ending the same way, queues nothing new, while a later backfill's outcome is
a new event.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from imports_pipeline.errors import DomainError
from imports_pipeline.sessions import ImportService
from imports_pipeline.store.tables import ImportSessionRow, WebhookDeliveryRow
from imports_pipeline.vocabulary import (
    Actor,
    ActorType,
    DeliveryStatus,
    ProcessingStatus,
    WebhookEvent,
)

EVENT_NAMESPACE = uuid.UUID("6f1d8a52-61a4-4be2-9d47-0d2c8e7b3a90")


@dataclass(frozen=True)
class FinishedRun:
    """What a processing run's tags and end say, enough to announce it without Dagster."""

    import_id: str
    organization_id: str | None
    """From the run's tags; a backfill's run has none, and the session says."""
    template_id: str | None
    file_name: str | None
    chain_id: str
    """The root run id: a retry or a re-execution from failure shares it, a backfill does not."""
    run_id: str
    succeeded: bool
    reason: str | None = None
    """The run's failure message, for a dropped file whose session never existed."""
    last_attempt: bool = True
    """A failed run that Dagster will not retry: its import failed, whatever a later run (a
    re-execution, a backfill) has made of it since."""


MOVED_ON = frozenset(
    {
        ProcessingStatus.QUEUED,
        ProcessingStatus.PROCESSING,
        ProcessingStatus.COMPLETED,
        ProcessingStatus.PARTIALLY_COMPLETED,
    }
)
"""Where an import can be when the sensor of its failed last attempt looks, once a later run of
it was launched."""


def event_of(session: ImportSessionRow | None, run: FinishedRun) -> WebhookEvent | None:
    """None while the import is not settled (a retry follows) or was already rolled back."""
    if session is None:  # a dropped file that could not even be read
        return None if run.succeeded else WebhookEvent.FAILED
    status = session.processing_status
    if not run.succeeded and run.last_attempt and status in MOVED_ON:
        # The failure sensor can look after a re-execution or a backfill already took the
        # import on, or even finished it; the failure happened all the same, and subscribers
        # hear it before that later run's own event.
        return WebhookEvent.FAILED
    if status in (ProcessingStatus.COMPLETED, ProcessingStatus.PARTIALLY_COMPLETED):
        return WebhookEvent.COMPLETED
    if status == ProcessingStatus.FAILED:
        return WebhookEvent.FAILED
    if status is None and session.submission is None and not run.succeeded:
        return WebhookEvent.NEEDS_REVIEW  # a dropped file's run stopped before submit
    return None


def event_id(run: FinishedRun, event: WebhookEvent) -> str:
    return str(uuid.uuid5(EVENT_NAMESPACE, f"{run.import_id}/{event.value}/{run.chain_id}"))


def event_data(service: ImportService, session: ImportSessionRow | None, run: FinishedRun) -> Any:
    """The import's status exactly as ``GET /v2/imports/{id}/status`` answers it now; for a file
    that never became a session, what its run knew."""
    if session is None:
        return {
            "import_id": run.import_id,
            "template_id": run.template_id,
            "file_name": run.file_name,
            "status_detail": run.reason,
        }
    actor = Actor(organization_id=session.organization_id, actor_type=ActorType.SYSTEM.value)
    return service.status(actor, session.id).model_dump(mode="json")


def announce(service: ImportService, run: FinishedRun) -> int:
    """Queue the run's event for each subscriber of the organization; how many deliveries are
    new (none when nobody listens, the import is not settled, or it was queued before)."""
    try:
        session: ImportSessionRow | None = service.stores.processing.session(run.import_id)
    except DomainError:
        session = None
    event = event_of(session, run)
    organization_id = session.organization_id if session is not None else run.organization_id
    if event is None or organization_id is None:
        return 0
    store = service.stores.webhooks
    subscribers = store.subscribers(organization_id, event.value)
    if not subscribers:
        return 0
    now = service.clock()
    identifier = event_id(run, event)
    body = json.dumps(
        {
            "id": identifier,
            "type": event.value,
            "timestamp": now.isoformat(),
            "organization_id": organization_id,
            "data": event_data(service, session, run),
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )
    deliveries = [
        WebhookDeliveryRow(
            event_id=identifier,
            subscription_id=subscriber.id,
            organization_id=organization_id,
            event_type=event.value,
            import_id=run.import_id,
            body=body,
            status=DeliveryStatus.PENDING.value,
            attempts=0,
            next_attempt_at=now,
            last_response=None,
            created_at=now,
            delivered_at=None,
        )
        for subscriber in subscribers
    ]
    return store.enqueue(deliveries)
