"""Idempotency keys: the first response to a key, replayed to every retry of the same request.

A key is reserved (a row without a response) before the work starts, so a
retry that arrives while the first request still runs is refused instead of
doing the work a second time. Only completed requests keep their response; a
request that failed is released and can be retried with the same key, because
the use cases change nothing when they fail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from imports_pipeline.errors import IdempotencyKeyInUseError, IdempotencyKeyReusedError
from imports_pipeline.store.leases import holder_is_gone, this_holder
from imports_pipeline.store.tables import IdempotencyKeyRow
from imports_pipeline.vocabulary import utc_now

RETENTION = timedelta(hours=24)
"""How long a response is replayed; after that the key may be used again."""
ABANDONED_AFTER = timedelta(minutes=30)
"""A reservation without a response this old belongs to a process that died."""


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: bytes


@dataclass(frozen=True)
class Reservation:
    """This request holds the key: ``complete`` and ``release`` act on this reservation only, so
    a request whose reservation was taken over (it ran past ``ABANDONED_AFTER``, or its process
    looked gone) cannot overwrite or free the one that replaced it."""

    organization_id: str
    key: str
    created_at: datetime
    holder: str


class IdempotencyStore:
    def __init__(self, engine: sa.Engine, clock: Callable[[], datetime] = utc_now) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.clock = clock

    def _is_stale(self, row: IdempotencyKeyRow, now: datetime) -> bool:
        if row.status_code is None:
            return row.created_at + ABANDONED_AFTER <= now or holder_is_gone(row.holder)
        return row.created_at + RETENTION <= now

    def begin(
        self, organization_id: str, key: str, request_hash: str
    ) -> StoredResponse | Reservation:
        """Reserve ``key`` for this request, or the stored response of the first request with it.

        Raises ``IdempotencyKeyReusedError`` when the key came with another request,
        ``IdempotencyKeyInUseError`` while the first request is still running.
        """
        for attempt in range(2):
            try:
                return self._reserve_or_replay(organization_id, key, request_hash)
            except sa.exc.IntegrityError:
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _reserve_or_replay(
        self, organization_id: str, key: str, request_hash: str
    ) -> StoredResponse | Reservation:
        now = self.clock()
        with self._sessions() as db, db.begin():
            row = db.get(IdempotencyKeyRow, (organization_id, key), with_for_update=True)
            if row is not None and self._is_stale(row, now):
                db.delete(row)
                db.flush()
                row = None
            if row is None:
                reservation = Reservation(organization_id, key, now, this_holder())
                db.add(
                    IdempotencyKeyRow(
                        organization_id=organization_id,
                        key=key,
                        request_hash=request_hash,
                        holder=reservation.holder,
                        created_at=now,
                    )
                )
                return reservation
            if row.request_hash != request_hash:
                raise IdempotencyKeyReusedError(
                    f"Idempotency-Key '{key}' was already used with a different request; "
                    "use a new key for a new request"
                )
            if row.status_code is None:
                raise IdempotencyKeyInUseError(
                    f"A request with Idempotency-Key '{key}' is still being processed; retry later"
                )
            return StoredResponse(row.status_code, (row.response_body or "").encode())

    def complete(self, reservation: Reservation, status_code: int, body: bytes) -> None:
        """Store the response, if the key is still this request's (compare-and-set)."""
        with self._sessions() as db, db.begin():
            db.execute(
                sa.update(IdempotencyKeyRow)
                .where(*self._held_by(reservation))
                .values(
                    status_code=status_code, response_body=body.decode(), completed_at=self.clock()
                )
            )

    def release(self, reservation: Reservation) -> None:
        """Forget a reservation whose request failed, so the same key can run it again; a
        reservation that has been taken over is left to its new holder."""
        with self._sessions() as db, db.begin():
            db.execute(sa.delete(IdempotencyKeyRow).where(*self._held_by(reservation)))

    @staticmethod
    def _held_by(reservation: Reservation) -> tuple[sa.ColumnElement[bool], ...]:
        return (
            IdempotencyKeyRow.organization_id == reservation.organization_id,
            IdempotencyKeyRow.key == reservation.key,
            IdempotencyKeyRow.created_at == reservation.created_at,
            IdempotencyKeyRow.holder == reservation.holder,
            IdempotencyKeyRow.status_code.is_(None),
        )
