from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from imports_pipeline.destination import (
    destination_table,
    ensure_destination_table,
    write_destination,
)
from imports_pipeline.destination.transaction import scope_transaction
from imports_pipeline.store.database import create_database_engine
from imports_pipeline.templates.model import Template
from imports_pipeline_tests.destination.frames import submitted, trip


def test_destination_table_has_typed_template_columns_lineage_and_the_natural_key(logistics):
    table = destination_table(logistics, sa.MetaData())
    assert table.name == "imports_logistics_requests"
    assert {c.name: type(c.type).__name__ for c in table.columns} == {
        "organization_id": "Text",
        "row_key": "Text",
        "trip_date": "Date",
        "client": "Text",
        "distance_km": "Double",
        "origin_country": "Text",
        "destination_country": "Text",
        "vehicle_type": "Text",
        "load_kg": "Double",
        "fuel_type": "Text",
        "cost_eur": "Double",
        "reference": "Text",
        "import_id": "Text",
        "updated_at": "DateTime",
    }
    assert [c.name for c in table.primary_key.columns] == ["organization_id", "row_key"]
    assert [c.name for c in table.columns if not c.nullable] == [
        "organization_id",
        "row_key",
        "import_id",
        "updated_at",
    ]


def test_other_column_types_map_to_their_sql_types():
    template = Template.model_validate(
        {
            "id": "t",
            "name": "T",
            "columns": [
                {"key": "n", "label": "N", "type": "integer"},
                {"key": "at", "label": "At", "type": "datetime"},
                {"key": "ok", "label": "Ok", "type": "boolean"},
                {"key": "mail", "label": "Mail", "type": "email"},
            ],
        }
    )
    table = destination_table(template, sa.MetaData())
    assert [type(table.c[key].type).__name__ for key in ("n", "at", "ok", "mail")] == [
        "BigInteger",
        "DateTime",
        "Boolean",
        "Text",
    ]


def test_a_template_column_named_like_a_lineage_column_is_refused():
    template = Template.model_validate(
        {"id": "t", "name": "T", "columns": [{"key": "import_id", "label": "Import"}]}
    )
    with pytest.raises(ValueError, match="reserved by the destination: import_id"):
        destination_table(template, sa.MetaData())


def test_ensure_creates_both_tables_once_even_when_called_concurrently(engine, logistics):
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: ensure_destination_table(engine, logistics), range(8)))
    ensure_destination_table(engine, logistics)
    inspector = sa.inspect(engine)
    assert {"imports_logistics_requests", "imports_logistics_requests_history"} <= set(
        inspector.get_table_names()
    )
    assert inspector.get_pk_constraint("imports_logistics_requests")["constrained_columns"] == [
        "organization_id",
        "row_key",
    ]


@pytest.mark.postgres
def test_writes_of_two_organizations_to_one_template_do_not_wait_for_each_other(request, logistics):
    """Each write checks its tables exist; that check must not queue behind another organization's
    open write."""
    engine = create_database_engine(request.getfixturevalue("postgres_url"))
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        tables = ensure_destination_table(engine, logistics)
        frame = submitted(logistics, [trip("REF-00000001")])
        with scope_transaction(engine, tables.rows, "org-a") as open_write:
            # What a merge that updates rows holds until commit: row locks in both tables (history
            # has an index).
            open_write.execute(
                tables.rows.insert().values(
                    organization_id="org-a",
                    row_key="k",
                    import_id="imp-a",
                    updated_at=sa.func.now(),
                )
            )
            open_write.execute(
                tables.history.insert().values(
                    history_import_id="imp-a",
                    history_action="updated",
                    organization_id="org-a",
                    row_key="k",
                )
            )
            other = pool.submit(
                write_destination, engine, logistics, "org-b", "imp-b", frame, "merge"
            )
            # Waited for while org-a's transaction still holds its locks; a timeout leaves the
            # block, releasing them.
            created = other.result(timeout=20).created
        assert created == 1
    finally:
        pool.shutdown(wait=True)
        engine.dispose()


def test_history_indexes_serve_the_rollbacks_lookups_on_each_dialect(engine, logistics):
    """PostgreSQL hash-joins, so the import id is enough; SQLite joins by index only, so it gets the
    key lookups."""
    ensure_destination_table(engine, logistics)
    indexes = {
        tuple(i["column_names"])
        for i in sa.inspect(engine).get_indexes("imports_logistics_requests_history")
    }
    if engine.dialect.name == "postgresql":
        assert indexes == {("history_import_id",)}
    else:
        assert indexes == {
            ("history_import_id", "organization_id", "row_key"),
            ("organization_id", "row_key", "history_id"),
        }
