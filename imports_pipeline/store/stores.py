"""Every store of the service, built once from the settings and passed down as one bundle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from imports_pipeline.settings import Settings
from imports_pipeline.store.api_keys import ApiKeyStore
from imports_pipeline.store.database import (
    create_database_engine,
    destination_engine,
    upgrade_schema,
)
from imports_pipeline.store.files import FileStore
from imports_pipeline.store.idempotency import IdempotencyStore
from imports_pipeline.store.processing import ProcessingStore
from imports_pipeline.store.repository import SessionRepository
from imports_pipeline.store.signing import Signer
from imports_pipeline.store.webhooks import WebhookStore
from imports_pipeline.vocabulary import utc_now


@dataclass(frozen=True)
class Stores:
    """The session store's tables, the file store, and where the destination tables are."""

    engine: sa.Engine
    sessions: SessionRepository
    processing: ProcessingStore
    files: FileStore
    api_keys: ApiKeyStore
    idempotency: IdempotencyStore
    destination: sa.Engine
    """The destination database (``destination_url``), by default the session store's."""
    signer: Signer
    """Signs links that work without API-key headers (async upload URLs, report links)."""
    webhooks: WebhookStore

    @classmethod
    def open(cls, settings: Settings, clock: Callable[[], datetime] = utc_now) -> Stores:
        """Connect to the configured databases and bring the session store's schema up to date."""
        engine = create_database_engine(settings.session_database_url)
        upgrade_schema(engine)
        files = FileStore(settings.files_dir)
        return cls.on(
            engine,
            files,
            destination_engine(engine, settings.destination_url, settings.destination_file),
            clock,
            Signer.configured(settings.signing_secret, files.root),
        )

    @classmethod
    def on(
        cls,
        engine: sa.Engine,
        files: FileStore,
        destination: sa.Engine | None = None,
        clock: Callable[[], datetime] = utc_now,
        signer: Signer | None = None,
    ) -> Stores:
        """The bundle over an engine whose schema is already up to date; the signer, by default,
        keeps its key in the file store's folder."""
        sessions = SessionRepository(engine)
        return cls(
            engine=engine,
            sessions=sessions,
            processing=ProcessingStore(sessions),
            files=files,
            api_keys=ApiKeyStore(engine, clock),
            idempotency=IdempotencyStore(engine, clock),
            destination=destination if destination is not None else engine,
            signer=signer or Signer.in_folder(files.root),
            webhooks=WebhookStore(engine, clock),
        )
