"""A real Dagster instance (ephemeral, in memory) and the resource pointing at a real session
store."""

from __future__ import annotations

import dagster as dg
import pytest

from imports_pipeline.orchestration.resources import ImportsResource
from imports_pipeline_tests.service import build_service


@pytest.fixture
def instance():
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance


@pytest.fixture
def service(tmp_path):
    service = build_service(f"sqlite:///{tmp_path / 'imports.db'}", tmp_path)
    yield service
    service.repository.engine.dispose()


@pytest.fixture
def imports(tmp_path, service) -> ImportsResource:
    """Session store and files of ``service``; destination in a database of its own."""
    return ImportsResource(
        database_url=f"sqlite:///{tmp_path / 'imports.db'}",
        data_dir=str(tmp_path),
        destination_url=f"sqlite:///{tmp_path / 'destination.db'}",
    )
