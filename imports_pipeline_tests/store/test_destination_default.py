"""Where the destination lives by default (issue 14): its own SQLite file beside a SQLite session
store, so API requests never queue behind a destination write; a data folder from before keeps
its destination tables where they are."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from imports_pipeline.destination import write_destination
from imports_pipeline.settings import Settings
from imports_pipeline.store.stores import Stores
from imports_pipeline.templates.catalog import TemplateCatalog


def database_file(engine: sa.Engine) -> Path:
    return Path(engine.url.database or "").resolve()


def test_a_new_sqlite_data_folder_keeps_the_destination_in_its_own_file(tmp_path):
    stores = Stores.open(Settings(data_dir=tmp_path))
    assert database_file(stores.engine) == (tmp_path / "imports.db").resolve()
    assert database_file(stores.destination) == (tmp_path / "destination.db").resolve()


def test_a_data_folder_whose_session_database_holds_destination_tables_keeps_using_it(tmp_path):
    first = Stores.open(Settings(data_dir=tmp_path))
    template = TemplateCatalog().get("logistics_requests")
    rows = pd.DataFrame(
        {"row_index": [0], "trip_date": [pd.Timestamp("2026-03-01")], "client": ["ACME"]}
    )
    # As the version before this default wrote it: into the session store's own database.
    write_destination(first.engine, template, "org-1", "imp-1", rows, "merge")
    first.engine.dispose()
    first.destination.dispose()
    (tmp_path / "destination.db").unlink(missing_ok=True)

    upgraded = Stores.open(Settings(data_dir=tmp_path))
    assert database_file(upgraded.destination) == (tmp_path / "imports.db").resolve()
    with upgraded.destination.connect() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM imports_logistics_requests"))
        assert count.scalar_one() == 1


def test_an_explicit_destination_url_wins(tmp_path):
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    stores = Stores.open(Settings(data_dir=tmp_path, destination_url=url))
    assert database_file(stores.destination) == (tmp_path / "elsewhere.db").resolve()


@pytest.mark.postgres
def test_on_postgresql_the_destination_defaults_to_the_session_database(tmp_path, postgres_url):
    stores = Stores.open(Settings(data_dir=tmp_path, database_url=postgres_url))
    assert stores.destination is stores.engine
    stores.engine.dispose()
