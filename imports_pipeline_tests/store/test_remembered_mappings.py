"""Remembered mappings under concurrency (issue 14): a new organization's first validations run at
once must all succeed and all count."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

from imports_pipeline.store.database import create_database_engine, upgrade_schema
from imports_pipeline.store.repository import SessionRepository

MAPPING = {"trip_date": "Fecha", "client": "Cliente", "distance_km": "Km"}


@pytest.fixture(params=["sqlite", "postgres"])
def repository(request, tmp_path):
    url = (
        f"sqlite:///{tmp_path / 'imports.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    engine = create_database_engine(url)
    upgrade_schema(engine)
    yield SessionRepository(engine)
    engine.dispose()


def test_concurrent_confirmations_of_a_new_organization_all_count(repository):
    callers = 8
    start = threading.Barrier(callers)
    failures: list[BaseException] = []

    def confirm() -> None:
        start.wait()
        try:
            repository.remember_mapping(
                "org-new", "logistics_requests", MAPPING, datetime(2026, 5, 1)
            )
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=confirm) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with repository.engine.connect() as connection:
        counts = connection.exec_driver_sql(
            "SELECT template_column, times_confirmed FROM remembered_mappings ORDER BY 1"
        ).all()
    assert [tuple(row) for row in counts] == [(key, callers) for key in sorted(MAPPING)]
    chosen = repository.remembered_mapping("org-new", "logistics_requests", ["Fecha", "Km"])
    assert chosen == {"trip_date": "Fecha", "distance_km": "Km"}
