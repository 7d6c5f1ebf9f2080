"""API keys: issue, verify, list and revoke.

Only the sha256 of a key is stored. A key is 32 random bytes, so a plain hash is
as strong as a slow one here (there is nothing to guess), and verifying costs
one indexed lookup per request.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from imports_pipeline.errors import ApiKeyNotFoundError
from imports_pipeline.store.tables import ApiKeyRow
from imports_pipeline.vocabulary import utc_now

KEY_PREFIX = "imp_"


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    """A new key's record and its secret, which exists only here: it is never stored."""

    record: ApiKeyRow
    secret: str


class ApiKeyStore:
    def __init__(self, engine: sa.Engine, clock: Callable[[], datetime] = utc_now) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.clock = clock

    def create(
        self,
        organization_id: str,
        user_id: str | None = None,
        name: str | None = None,
        full_name: str | None = None,
        email: str | None = None,
    ) -> IssuedKey:
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        record = ApiKeyRow(
            id=str(uuid.uuid4()),
            organization_id=organization_id,
            user_id=user_id,
            name=name,
            full_name=full_name,
            email=email,
            key_prefix=secret[: len(KEY_PREFIX) + 6],
            key_hash=hash_key(secret),
            created_at=self.clock(),
            revoked_at=None,
        )
        with self._sessions() as db, db.begin():
            db.add(record)
        return IssuedKey(record, secret)

    def verify(self, secret: str) -> ApiKeyRow | None:
        """The active key with this secret, or None for an unknown or revoked one."""
        with self._sessions() as db:
            record = db.scalar(sa.select(ApiKeyRow).where(ApiKeyRow.key_hash == hash_key(secret)))
        return record if record is not None and record.revoked_at is None else None

    def owners(self, key_ids: Collection[str]) -> dict[str, ApiKeyRow]:
        """The key records behind a page of imports, by id, in one query."""
        if not key_ids:
            return {}
        with self._sessions() as db:
            rows = db.scalars(sa.select(ApiKeyRow).where(ApiKeyRow.id.in_(list(key_ids)))).all()
        return {row.id: row for row in rows}

    def list(self, organization_id: str | None = None) -> list[ApiKeyRow]:
        query = sa.select(ApiKeyRow).order_by(
            ApiKeyRow.organization_id, ApiKeyRow.created_at, ApiKeyRow.id
        )
        if organization_id is not None:
            query = query.where(ApiKeyRow.organization_id == organization_id)
        with self._sessions() as db:
            return list(db.scalars(query).all())

    def revoke(self, key_id: str) -> ApiKeyRow:
        """Revoking twice keeps the first revocation time."""
        with self._sessions() as db, db.begin():
            record = db.get(ApiKeyRow, key_id, with_for_update=True)
            if record is None:
                raise ApiKeyNotFoundError(f"API key {key_id} not found", key_id=key_id)
            if record.revoked_at is None:
                record.revoked_at = self.clock()
        return record
