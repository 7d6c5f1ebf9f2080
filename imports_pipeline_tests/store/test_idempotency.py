"""The idempotency store: reservations, replays, reuse, and how long each lasts."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from imports_pipeline.errors import IdempotencyKeyInUseError, IdempotencyKeyReusedError
from imports_pipeline.store.database import create_database_engine, upgrade_schema
from imports_pipeline.store.idempotency import IdempotencyStore, StoredResponse


@pytest.fixture
def store(tmp_path):
    now = [datetime(2026, 4, 8, 14, 0)]
    engine = create_database_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade_schema(engine)
    store = IdempotencyStore(engine, clock=lambda: now[0])
    store.now = now
    return store


def test_reserve_replay_and_reuse(store):
    assert store.begin("org", "k", "hash-a") is None
    with pytest.raises(IdempotencyKeyInUseError):
        store.begin("org", "k", "hash-a")
    store.complete("org", "k", 201, b'{"ok": true}')
    assert store.begin("org", "k", "hash-a") == StoredResponse(201, b'{"ok": true}')
    with pytest.raises(IdempotencyKeyReusedError):
        store.begin("org", "k", "hash-b")
    assert store.begin("other-org", "k", "hash-b") is None


def test_released_abandoned_and_old_keys_can_be_used_again(store):
    store.begin("org", "failed", "h")
    store.release("org", "failed")
    assert store.begin("org", "failed", "h2") is None

    store.begin("org", "crashed", "h")
    store.now[0] += timedelta(minutes=31)
    assert store.begin("org", "crashed", "h") is None

    store.complete("org", "crashed", 200, b"{}")
    store.now[0] += timedelta(hours=24)
    assert store.begin("org", "crashed", "new") is None
