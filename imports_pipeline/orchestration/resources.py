"""Where the session store, the file store and the destination are, as one typed resource."""

from __future__ import annotations

import dagster as dg
import sqlalchemy as sa
from pydantic import PrivateAttr

from imports_pipeline.processing import ImportProcessing, RunAttempt
from imports_pipeline.sessions import ImportService
from imports_pipeline.settings import Settings, environment_name
from imports_pipeline.store.processing import ProcessingStore


class ImportsResource(dg.ConfigurableResource):  # type: ignore[type-arg]
    """The same stores the HTTP API uses, so a run sees exactly what ``submit`` recorded.

    Each field is the setting of the same name (``imports_pipeline.settings``); empty means its
    default.
    """

    database_url: str
    """Session store (``IMPORTS_DATABASE_URL``)."""
    data_dir: str
    """File store root is ``<data_dir>/files`` (``IMPORTS_DATA_DIR``)."""
    destination_url: str = ""
    """Where the per-template destination tables live (``IMPORTS_DESTINATION_URL``); empty: in the
    session store."""
    templates_dir: str = ""
    write_work_mem: str = ""
    drops_dir: str = ""
    batches_file: str = ""

    _service: ImportService | None = PrivateAttr(default=None)

    def settings(self) -> Settings:
        return Settings.model_validate(
            {name: getattr(self, name) for name in RESOURCE_FIELDS if getattr(self, name)}
        )

    @property
    def service(self) -> ImportService:
        """Built on first use: sensors and assets both need it, and schema upgrades should run once
        per process."""
        if self._service is None:
            self._service = ImportService.from_settings(self.settings())
        return self._service

    @property
    def destination(self) -> sa.Engine:
        return self.service.stores.destination

    def processing(self, import_id: str, attempt: RunAttempt | None = None) -> ImportProcessing:
        return ImportProcessing(self.service, self.destination, import_id, attempt)

    def store(self) -> ProcessingStore:
        return self.service.stores.processing


RESOURCE_FIELDS = (
    "database_url",
    "data_dir",
    "destination_url",
    "templates_dir",
    "write_work_mem",
    "drops_dir",
    "batches_file",
)


def imports_resource(settings: Settings) -> ImportsResource:
    """The resource for ``settings``: a field set by its variable is an ``EnvVar``, so a secret in
    a URL never shows in the UI; the others are their value."""
    values: dict[str, str | dg.EnvVar] = {}
    for name in RESOURCE_FIELDS:
        if settings.came_from_environment(name):
            values[name] = dg.EnvVar(environment_name(name))
        else:
            value = getattr(settings, name)
            values[name] = "" if value is None else str(value)
    values["database_url"] = values["database_url"] or settings.session_database_url
    values["data_dir"] = (
        values["data_dir"]
        if settings.came_from_environment("data_dir")
        else str(settings.data_folder)
    )
    return ImportsResource(**values)
