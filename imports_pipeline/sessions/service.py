"""``ImportService``: every session use case behind one object, as the API, Dagster and the CLI
use them.

Each group of use cases lives in its own module (creating, mapping,
validating, reviewing, submitting, reading, downloads) over the shared state of
``base.SessionUseCases``; this class only combines them and builds them from
the settings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from imports_pipeline.sessions.creating import CreatingSessions
from imports_pipeline.sessions.downloads import DownloadingFiles
from imports_pipeline.sessions.mapping import MappingColumns
from imports_pipeline.sessions.reading import ReadingSessions
from imports_pipeline.sessions.submitting import SubmittingRows
from imports_pipeline.sessions.validating import ValidatingRows
from imports_pipeline.settings import Settings
from imports_pipeline.store.stores import Stores
from imports_pipeline.templates.catalog import TemplateCatalog
from imports_pipeline.vocabulary import utc_now


class ImportService(
    CreatingSessions,
    MappingColumns,
    ValidatingRows,
    SubmittingRows,
    ReadingSessions,
    DownloadingFiles,
):
    """The import use cases: create, suggest mapping, unique values, validate, rows, patch, submit,
    read."""

    @classmethod
    def from_settings(
        cls, settings: Settings, clock: Callable[[], datetime] = utc_now
    ) -> ImportService:
        """The stores and templates the settings name (by default SQLite and files under
        ``./data``)."""
        return cls(
            Stores.open(settings, clock),
            TemplateCatalog(settings.templates_dir),
            settings,
            clock=clock,
        )

    def warm_up(self) -> None:
        """Load what the first suggest and validate of a process would otherwise wait for: the
        sentence encoder (1.2 s on the first suggest after a start, the load test's suggest
        p95) and each template's compiled rules (pandera, 0.3 s to import). A server calls it
        in the background at start."""
        from imports_pipeline.engine.mapping import embeddings

        try:
            embeddings.available()
            for template in self.catalog.list():
                self.rules_for(template)
        except Exception:  # the request that needs it will meet the same error, in its answer
            logging.getLogger(__name__).warning("warm-up stopped", exc_info=True)
