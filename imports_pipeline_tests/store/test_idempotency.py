"""The idempotency store: reservations, replays, reuse, and how long each lasts."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from imports_pipeline.errors import IdempotencyKeyInUseError, IdempotencyKeyReusedError
from imports_pipeline.store.database import create_database_engine, upgrade_schema
from imports_pipeline.store.idempotency import IdempotencyStore, Reservation, StoredResponse


@pytest.fixture
def store(tmp_path):
    now = [datetime(2026, 4, 8, 14, 0)]
    engine = create_database_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade_schema(engine)
    store = IdempotencyStore(engine, clock=lambda: now[0])
    store.now = now
    return store


def test_reserve_replay_and_reuse(store):
    held = store.begin("org", "k", "hash-a")
    assert isinstance(held, Reservation)
    with pytest.raises(IdempotencyKeyInUseError):
        store.begin("org", "k", "hash-a")
    store.complete(held, 201, b'{"ok": true}')
    assert store.begin("org", "k", "hash-a") == StoredResponse(201, b'{"ok": true}')
    with pytest.raises(IdempotencyKeyReusedError):
        store.begin("org", "k", "hash-b")
    assert isinstance(store.begin("other-org", "k", "hash-b"), Reservation)


def test_released_abandoned_and_old_keys_can_be_used_again(store):
    store.release(store.begin("org", "failed", "h"))
    assert isinstance(store.begin("org", "failed", "h2"), Reservation)

    store.begin("org", "crashed", "h")
    store.now[0] += timedelta(minutes=31)
    retried = store.begin("org", "crashed", "h")
    assert isinstance(retried, Reservation)

    store.complete(retried, 200, b"{}")
    store.now[0] += timedelta(hours=24)
    assert isinstance(store.begin("org", "crashed", "new"), Reservation)


def test_a_reservation_taken_over_can_neither_complete_nor_free_its_successor(store):
    """Issue 14: complete and release did not check who held the key, so a request that ran
    past ABANDONED_AFTER overwrote, or deleted, the reservation of the retry that replaced it."""
    slow = store.begin("org", "k", "h")
    store.now[0] += timedelta(minutes=31)
    retry = store.begin("org", "k", "h")  # the slow one looks abandoned: taken over
    store.release(slow)  # the slow request fails late
    with pytest.raises(IdempotencyKeyInUseError):
        store.begin("org", "k", "h")  # the retry still holds the key
    store.complete(slow, 500, b'{"late": true}')
    store.complete(retry, 201, b'{"retry": true}')
    assert store.begin("org", "k", "h") == StoredResponse(201, b'{"retry": true}')
