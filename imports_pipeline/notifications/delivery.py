"""Sending queued webhook deliveries: one POST per attempt, retried with backoff until a 2xx.

Any 2xx is delivered. Anything else (another status, a redirect, which is not followed, a
timeout, a refused connection) is tried again after the next step of ``BACKOFF``; after the
last, the delivery is ``failed`` and stays listed under the subscription's deliveries.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from imports_pipeline.notifications.signing import signed_headers
from imports_pipeline.store.tables import WebhookDeliveryRow, WebhookSubscriptionRow
from imports_pipeline.store.webhooks import WebhookStore

BACKOFF = (
    timedelta(seconds=10),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
)
"""The wait before each retry: ten attempts over about 23 hours, so a receiver down for a night
still gets every event."""
ATTEMPT_HOLD = timedelta(minutes=1)
"""How long a claimed delivery is kept from other senders: longer than one attempt can take."""
REQUEST_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
ROUND_BUDGET_SECONDS = 20.0
"""A round stops claiming after this long, well inside a sensor tick's time limit; what is left
waits for the next round."""


@dataclass(frozen=True)
class DeliveryRound:
    delivered: int = 0
    retrying: int = 0
    given_up: int = 0

    def __str__(self) -> str:
        return f"{self.delivered} delivered, {self.retrying} to retry, {self.given_up} given up"


def unix_seconds(moment: datetime) -> int:
    """The store's clock is naive UTC."""
    return int(moment.replace(tzinfo=UTC).timestamp())


def retry_time(attempts_made: int, now: datetime) -> datetime | None:
    """When to try again after ``attempts_made`` attempts failed; None when none are left."""
    return now + BACKOFF[attempts_made - 1] if attempts_made <= len(BACKOFF) else None


def send(
    client: httpx.Client,
    delivery: WebhookDeliveryRow,
    subscription: WebhookSubscriptionRow,
    timestamp: int,
) -> tuple[bool, str]:
    """One attempt: whether the receiver took it, and what it answered."""
    headers = signed_headers(subscription.secret, delivery.event_id, timestamp, delivery.body)
    try:
        response = client.post(subscription.url, content=delivery.body.encode(), headers=headers)
    except httpx.HTTPError as error:
        return False, f"no answer: {type(error).__name__}: {error}"
    return response.is_success, f"{response.status_code} {response.text[:200]}".strip()


def deliver_due(
    store: WebhookStore,
    client: httpx.Client,
    clock: Callable[[], datetime],
    budget_seconds: float = ROUND_BUDGET_SECONDS,
) -> DeliveryRound:
    """Send every delivery due now, oldest first, until none is left or the budget is spent."""
    delivered = retrying = given_up = 0
    started = time.monotonic()
    while time.monotonic() - started < budget_seconds:
        claimed = store.claim_due(clock(), ATTEMPT_HOLD)
        if claimed is None:
            break
        delivery, subscription = claimed
        took, response = send(client, delivery, subscription, unix_seconds(clock()))
        now = clock()
        retry_at = None if took else retry_time(delivery.attempts + 1, now)
        store.record_attempt(delivery, now, response, took, retry_at)
        if took:
            delivered += 1
        elif retry_at is not None:
            retrying += 1
        else:
            given_up += 1
    return DeliveryRound(delivered, retrying, given_up)


def delivery_client() -> httpx.Client:
    """Redirects are not followed: a subscription names the URL that gets the payload."""
    return httpx.Client(timeout=REQUEST_TIMEOUT, follow_redirects=False)
