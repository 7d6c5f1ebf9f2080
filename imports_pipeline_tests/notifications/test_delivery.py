"""Webhook deliveries to a real HTTP receiver: signed as Standard Webhooks says (checked with the
spec's own library), retried with backoff on the store's clock, given up after the last step,
never sent twice by two senders, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import standardwebhooks

from imports_pipeline.notifications.delivery import BACKOFF, deliver_due, retry_time
from imports_pipeline.notifications.signing import signature
from imports_pipeline.store.database import create_database_engine, upgrade_schema
from imports_pipeline.store.tables import WebhookDeliveryRow
from imports_pipeline.store.webhooks import WebhookStore
from imports_pipeline.vocabulary import DeliveryStatus, WebhookEvent, utc_now
from imports_pipeline_tests.webhook_receiver import webhook_receiver

ORG = "org-1"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 4, 9, 0, 0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path, clock) -> WebhookStore:
    url = (
        f"sqlite:///{tmp_path / 'imports.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    engine = create_database_engine(url)
    upgrade_schema(engine)
    yield WebhookStore(engine, clock)
    engine.dispose()


def queue(store: WebhookStore, subscription_id: str, event_id: str = "evt-1") -> WebhookDeliveryRow:
    body = json.dumps({"id": event_id, "type": "import.completed", "data": {"import_id": "imp-1"}})
    row = WebhookDeliveryRow(
        event_id=event_id,
        subscription_id=subscription_id,
        organization_id=ORG,
        event_type=WebhookEvent.COMPLETED.value,
        import_id="imp-1",
        body=body,
        status=DeliveryStatus.PENDING.value,
        attempts=0,
        next_attempt_at=store.clock(),
        last_response=None,
        created_at=store.clock(),
        delivered_at=None,
    )
    assert store.enqueue([row]) == 1
    return row


def test_a_delivery_is_signed_so_the_standard_webhooks_library_accepts_it(store, clock):
    clock.now = utc_now()  # the library refuses a timestamp five minutes from its own clock
    with webhook_receiver() as receiver, httpx.Client() as client:
        hook = store.subscribe(ORG, receiver.url, ["import.completed"], "ops channel")
        sent = queue(store, hook.id)
        outcome = deliver_due(store, client, clock)
        [got] = receiver.received
    assert (outcome.delivered, outcome.retrying, outcome.given_up) == (1, 0, 0)
    assert got.path == "/hooks/imports" and got.body == sent.body
    assert got.headers["webhook-id"] == "evt-1"
    assert got.headers["webhook-timestamp"] == str(int(clock.now.replace(tzinfo=UTC).timestamp()))
    assert got.headers["content-type"] == "application/json"
    # The receiver's check, with the secret as shown to the subscriber; it also checks the time.
    verified = standardwebhooks.Webhook(hook.secret).verify(got.body, got.headers)
    assert verified["data"] == {"import_id": "imp-1"}
    forged = {**got.headers, "webhook-signature": signature(hook.secret, "evt-2", 1, got.body)}
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook(hook.secret).verify(got.body, forged)
    [delivered] = store.deliveries(ORG, hook.id)
    assert (delivered.status, delivered.attempts, delivered.delivered_at) == (
        "delivered",
        1,
        clock.now,
    )
    assert delivered.last_response == "200 ok"


def test_a_failed_attempt_is_retried_after_its_backoff_with_the_same_event_id(store, clock):
    with webhook_receiver() as receiver, httpx.Client() as client:
        receiver.answers = [500, 503]
        hook = store.subscribe(ORG, receiver.url, ["import.completed"], None)
        queue(store, hook.id)
        assert deliver_due(store, client, clock).retrying == 1
        [first] = store.deliveries(ORG, hook.id)
        assert (first.status, first.attempts) == ("pending", 1)
        assert first.next_attempt_at == clock.now + BACKOFF[0]
        assert first.last_response == "500 not now"
        clock.now += BACKOFF[0] - timedelta(seconds=1)
        assert deliver_due(store, client, clock).retrying == 0  # not due yet: nothing sent
        assert len(receiver.received) == 1
        clock.now += timedelta(seconds=1)
        assert deliver_due(store, client, clock).retrying == 1
        clock.now += BACKOFF[1]
        assert deliver_due(store, client, clock).delivered == 1
        ids = [got.headers["webhook-id"] for got in receiver.received]
        stamps = [int(got.headers["webhook-timestamp"]) for got in receiver.received]
    assert ids == ["evt-1"] * 3
    assert stamps == sorted(stamps) and stamps[0] < stamps[-1]  # signed anew at each attempt
    [last] = store.deliveries(ORG, hook.id)
    assert (last.status, last.attempts) == ("delivered", 3)


def test_after_the_last_backoff_step_the_delivery_is_failed_and_never_sent_again(store, clock):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens here once the socket is closed
    hook = store.subscribe(ORG, f"http://127.0.0.1:{port}/gone", ["import.completed"], None)
    queue(store, hook.id)
    with httpx.Client(timeout=2) as client:
        for step in [*BACKOFF, None]:
            outcome = deliver_due(store, client, clock)
            assert outcome.retrying + outcome.given_up == 1
            if step is not None:
                clock.now += step
        clock.now += timedelta(days=2)
        assert deliver_due(store, client, clock).given_up == 0
    [given_up] = store.deliveries(ORG, hook.id)
    assert (given_up.status, given_up.attempts) == ("failed", len(BACKOFF) + 1)
    assert given_up.next_attempt_at is None
    assert given_up.last_response.startswith("no answer: ConnectError")
    assert retry_time(len(BACKOFF) + 1, clock.now) is None


def test_a_claimed_delivery_is_not_sent_by_a_second_sender(store, clock):
    hook = store.subscribe(ORG, "http://127.0.0.1:9/never", ["import.completed"], None)
    queue(store, hook.id)
    claimed = store.claim_due(clock.now, timedelta(minutes=1))
    assert claimed is not None and claimed[1].id == hook.id
    assert store.claim_due(clock.now, timedelta(minutes=1)) is None
    clock.now += timedelta(minutes=1)  # the first sender died: after the hold it is due again
    assert store.claim_due(clock.now, timedelta(minutes=1)) is not None


def test_the_same_event_is_queued_once_and_a_deleted_subscription_gets_nothing(store, clock):
    with webhook_receiver() as receiver, httpx.Client() as client:
        hook = store.subscribe(ORG, receiver.url, ["import.failed"], None)
        row = queue(store, hook.id)
        duplicate = WebhookDeliveryRow(
            **{c.name: getattr(row, c.name) for c in WebhookDeliveryRow.__table__.columns}
        )
        assert store.enqueue([duplicate]) == 0
        store.unsubscribe(ORG, hook.id)
        assert deliver_due(store, client, clock).delivered == 0
        assert receiver.received == []
    assert store.subscriptions(ORG) == []
