"""Fixtures for the destination: the same tests on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import pytest

from imports_pipeline.store.database import create_database_engine
from imports_pipeline.templates.catalog import TemplateCatalog
from imports_pipeline.templates.model import Template


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    url = (
        f"sqlite:///{tmp_path / 'destination.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    engine = create_database_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def logistics() -> Template:
    return TemplateCatalog().get("logistics_requests")
