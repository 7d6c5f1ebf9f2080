"""Every usual spelling of a PostgreSQL URL works end to end, COPY included, and a driver the
stores cannot write with is refused at start naming the setting (issue 14)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from imports_pipeline.processing import ImportProcessing
from imports_pipeline.sessions import ImportService
from imports_pipeline.settings import Settings
from imports_pipeline.vocabulary import PHASE_ORDER
from imports_pipeline_tests.submitted import MESSY_FILE, destination_rows, submit_rows


@pytest.mark.postgres
@pytest.mark.parametrize("scheme", ["postgresql", "postgresql+psycopg", "postgresql+psycopg2"])
def test_each_postgresql_spelling_imports_into_the_destination_with_copy(
    scheme, postgres_url, tmp_path
):
    url = scheme + "://" + postgres_url.split("://", 1)[1]
    service = ImportService.from_settings(
        Settings(data_dir=tmp_path, database_url=url, destination_url=url)
    )
    try:
        import_id = submit_rows(service, MESSY_FILE)
        processing = ImportProcessing(service, service.stores.destination, import_id)
        outcomes = {phase: getattr(processing, phase.value)() for phase in PHASE_ORDER}
        assert outcomes[PHASE_ORDER[6]].detail["staged_with"] == "copy"
        assert len(destination_rows(service.stores.destination, service)) == 2
    finally:
        service.stores.engine.dispose()
        service.stores.destination.dispose()


@pytest.mark.parametrize(
    ("variable", "url"),
    [
        ("IMPORTS_DATABASE_URL", "postgresql+asyncpg://u@db/imports"),
        ("IMPORTS_DESTINATION_URL", "mysql://u@db/imports"),
    ],
)
def test_a_database_the_stores_cannot_write_is_refused_at_start(variable, url):
    with pytest.raises(ValidationError) as refused:
        Settings.from_environment({variable: url})
    message = str(refused.value)
    assert variable in message and "postgresql+psycopg://" in message
