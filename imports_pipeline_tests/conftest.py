"""Shared fixtures: a real PostgreSQL server for the whole run, fresh databases per test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from imports_pipeline_tests.postgres_server import (
    PostgresServer,
    remove_server_folder,
    start_postgres,
)

_database_numbers = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()
        remove_server_folder(server)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A new empty database on the shared server, so tests never see each other's rows."""
    return postgres_server.create_database(f"test_{next(_database_numbers)}")
