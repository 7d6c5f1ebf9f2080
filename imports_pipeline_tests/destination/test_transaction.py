"""The write transaction: its lock and, on PostgreSQL, its own ``work_mem``."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from imports_pipeline.destination import destination_tables
from imports_pipeline.destination.transaction import scope_transaction
from imports_pipeline.settings import Settings


@pytest.mark.postgres
def test_a_write_raises_work_mem_for_its_transaction_only(postgres_url, logistics, monkeypatch):
    engine = sa.create_engine(
        postgres_url, pool_size=1, max_overflow=0
    )  # one connection: the next block reuses it
    rows = destination_tables(logistics).rows
    try:
        with scope_transaction(engine, rows, "org-a") as connection:
            assert connection.exec_driver_sql("SHOW work_mem").scalar_one() == "128MB"
        with engine.connect() as connection:
            assert (
                connection.exec_driver_sql("SHOW work_mem").scalar_one() == "4MB"
            )  # the server's default again
        monkeypatch.setenv("IMPORTS_WRITE_WORK_MEM", "64MB")
        with scope_transaction(
            engine, rows, "org-a", Settings.from_environment().write_work_mem
        ) as connection:
            assert connection.exec_driver_sql("SHOW work_mem").scalar_one() == "64MB"
    finally:
        engine.dispose()


def test_a_work_mem_that_is_not_a_memory_size_is_refused_naming_the_variable(monkeypatch):
    monkeypatch.setenv("IMPORTS_WRITE_WORK_MEM", "lots")
    with pytest.raises(
        ValueError, match="IMPORTS_WRITE_WORK_MEM='lots' is not a PostgreSQL memory size"
    ):
        Settings.from_environment()
    monkeypatch.setenv("IMPORTS_WRITE_WORK_MEM", "1 GB")
    assert Settings.from_environment().write_work_mem == "1 GB"
