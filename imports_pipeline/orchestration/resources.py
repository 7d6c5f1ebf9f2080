"""Where the session store, the file store and the destination are, as one typed resource."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import sqlalchemy as sa
from pydantic import PrivateAttr

from imports_pipeline.processing import ImportProcessing
from imports_pipeline.sessions import ImportService
from imports_pipeline.store.database import DESTINATION_URL_ENV, data_dir, default_database_url, destination_engine
from imports_pipeline.store.processing import ProcessingStore


class ImportsResource(dg.ConfigurableResource):
    """The same stores the HTTP API uses, so a run sees exactly what ``submit`` recorded."""

    database_url: str
    """Session store (``IMPORTS_DATABASE_URL``)."""
    data_dir: str
    """File store root is ``<data_dir>/files`` (``IMPORTS_DATA_DIR``)."""
    destination_url: str = ""
    """Where the per-template destination tables live (``IMPORTS_DESTINATION_URL``); empty: in the session store."""

    _service: ImportService | None = PrivateAttr(default=None)
    _destination: sa.Engine | None = PrivateAttr(default=None)

    @property
    def service(self) -> ImportService:
        """Built on first use: sensors and assets both need it, and schema upgrades should run once per process."""
        if self._service is None:
            self._service = ImportService.from_environment(self.database_url, Path(self.data_dir) / "files")
        return self._service

    @property
    def destination(self) -> sa.Engine:
        if self._destination is None:
            self._destination = destination_engine(self.service.repository.engine, self.destination_url)
        return self._destination

    def processing(self, import_id: str) -> ImportProcessing:
        return ImportProcessing(self.service, self.destination, import_id)

    def store(self) -> ProcessingStore:
        return ProcessingStore(self.service.repository.engine)


def _setting(name: str, default: str) -> str | dg.EnvVar:
    """An ``EnvVar`` when the variable is set (so secrets in URLs never show in the UI), else the embedded default."""
    return dg.EnvVar(name) if os.environ.get(name) else default


def imports_resource_from_environment() -> ImportsResource:
    return ImportsResource(
        database_url=_setting("IMPORTS_DATABASE_URL", default_database_url()),
        data_dir=_setting("IMPORTS_DATA_DIR", str(data_dir())),
        destination_url=_setting(DESTINATION_URL_ENV, ""),
    )
