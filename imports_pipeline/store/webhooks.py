"""Webhook subscriptions and their deliveries: an outbox in the session store.

An event is written once per subscription (``enqueue``, idempotent on the event id) and
then sent by whoever claims it first (``claim_due``: a compare-and-set on
``next_attempt_at``), so two sensors or two daemons never send one attempt twice.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from imports_pipeline.errors import WebhookNotFoundError
from imports_pipeline.store.tables import WebhookDeliveryRow, WebhookSubscriptionRow
from imports_pipeline.vocabulary import DeliveryStatus, utc_now

SECRET_PREFIX = "whsec_"
"""Standard Webhooks' secret format: the prefix, then the key's bytes in base64; any of its
libraries (``standardwebhooks`` in Python, svix's in others) verifies our signatures."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


class WebhookStore:
    def __init__(self, engine: sa.Engine, clock: Callable[[], datetime] = utc_now) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.clock = clock

    def subscribe(
        self, organization_id: str, url: str, events: Sequence[str], description: str | None
    ) -> WebhookSubscriptionRow:
        row = WebhookSubscriptionRow(
            id=str(uuid.uuid4()),
            organization_id=organization_id,
            url=url,
            events=list(events),
            description=description,
            secret=new_secret(),
            created_at=self.clock(),
            deleted_at=None,
        )
        with self._sessions() as db, db.begin():
            db.add(row)
        return row

    def subscriptions(self, organization_id: str) -> list[WebhookSubscriptionRow]:
        query = (
            sa.select(WebhookSubscriptionRow)
            .where(
                WebhookSubscriptionRow.organization_id == organization_id,
                WebhookSubscriptionRow.deleted_at.is_(None),
            )
            .order_by(WebhookSubscriptionRow.created_at, WebhookSubscriptionRow.id)
        )
        with self._sessions() as db:
            return list(db.scalars(query).all())

    def subscription(self, organization_id: str, subscription_id: str) -> WebhookSubscriptionRow:
        """One live subscription of the organization; another organization's is not found."""
        with self._sessions() as db:
            row = db.get(WebhookSubscriptionRow, subscription_id)
        if row is None or row.organization_id != organization_id or row.deleted_at is not None:
            raise WebhookNotFoundError(
                f"Webhook {subscription_id} not found", webhook_id=subscription_id
            )
        return row

    def unsubscribe(self, organization_id: str, subscription_id: str) -> None:
        """Nothing more is sent to it, pending retries included."""
        self.subscription(organization_id, subscription_id)
        now = self.clock()
        with self._sessions() as db, db.begin():
            db.execute(
                sa.update(WebhookSubscriptionRow)
                .where(WebhookSubscriptionRow.id == subscription_id)
                .values(deleted_at=now)
            )
            db.execute(
                sa.update(WebhookDeliveryRow)
                .where(
                    WebhookDeliveryRow.subscription_id == subscription_id,
                    WebhookDeliveryRow.status == DeliveryStatus.PENDING.value,
                )
                .values(
                    status=DeliveryStatus.FAILED.value,
                    next_attempt_at=None,
                    last_response="the subscription was deleted",
                )
            )

    def subscribers(self, organization_id: str, event_type: str) -> list[WebhookSubscriptionRow]:
        return [row for row in self.subscriptions(organization_id) if event_type in row.events]

    def enqueue(self, deliveries: Sequence[WebhookDeliveryRow]) -> int:
        """Store each delivery unless its (event, subscription) is already there; how many were
        new. A sensor that sees the same run twice therefore queues nothing twice."""
        added = 0
        for delivery in deliveries:
            try:
                with self._sessions() as db, db.begin():
                    db.add(delivery)
                added += 1
            except IntegrityError:
                continue
        return added

    def claim_due(
        self, now: datetime, hold: timedelta
    ) -> tuple[WebhookDeliveryRow, WebhookSubscriptionRow] | None:
        """The oldest pending delivery due by ``now`` and its subscription, kept from other
        senders for ``hold`` (a sender that dies mid-attempt leaves it to be retried after)."""
        for _ in range(5):  # another sender may win the row between the read and the update
            with self._sessions() as db:
                found = db.execute(
                    sa.select(WebhookDeliveryRow, WebhookSubscriptionRow)
                    .join(
                        WebhookSubscriptionRow,
                        WebhookSubscriptionRow.id == WebhookDeliveryRow.subscription_id,
                    )
                    .where(
                        WebhookDeliveryRow.status == DeliveryStatus.PENDING.value,
                        WebhookDeliveryRow.next_attempt_at <= now,
                    )
                    .order_by(WebhookDeliveryRow.next_attempt_at)
                    .limit(1)
                ).first()
            if found is None:
                return None
            delivery, subscription = found
            with self._engine.begin() as connection:
                won = connection.execute(
                    sa.update(WebhookDeliveryRow)
                    .where(
                        WebhookDeliveryRow.event_id == delivery.event_id,
                        WebhookDeliveryRow.subscription_id == delivery.subscription_id,
                        WebhookDeliveryRow.next_attempt_at == delivery.next_attempt_at,
                    )
                    .values(next_attempt_at=now + hold)
                ).rowcount
            if won:
                return delivery, subscription
        return None

    def record_attempt(
        self,
        delivery: WebhookDeliveryRow,
        now: datetime,
        response: str,
        delivered: bool,
        retry_at: datetime | None,
    ) -> None:
        """One attempt's outcome: delivered, due again at ``retry_at``, or (neither) given up."""
        if delivered:
            status, next_at = DeliveryStatus.DELIVERED, None
        elif retry_at is not None:
            status, next_at = DeliveryStatus.PENDING, retry_at
        else:
            status, next_at = DeliveryStatus.FAILED, None
        with self._sessions() as db, db.begin():
            db.execute(
                sa.update(WebhookDeliveryRow)
                .where(
                    WebhookDeliveryRow.event_id == delivery.event_id,
                    WebhookDeliveryRow.subscription_id == delivery.subscription_id,
                    WebhookDeliveryRow.status == DeliveryStatus.PENDING.value,
                )
                .values(
                    status=status.value,
                    attempts=WebhookDeliveryRow.attempts + 1,
                    next_attempt_at=next_at,
                    last_response=response[:512],
                    delivered_at=now if delivered else None,
                )
            )

    def deliveries(
        self, organization_id: str, subscription_id: str, limit: int = 100
    ) -> list[WebhookDeliveryRow]:
        """The newest deliveries of one subscription first."""
        self.subscription(organization_id, subscription_id)
        query = (
            sa.select(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.subscription_id == subscription_id)
            .order_by(WebhookDeliveryRow.created_at.desc(), WebhookDeliveryRow.event_id)
            .limit(limit)
        )
        with self._sessions() as db:
            return list(db.scalars(query).all())
