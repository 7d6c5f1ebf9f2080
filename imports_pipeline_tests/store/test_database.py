from datetime import datetime

import pytest
import sqlalchemy as sa

from imports_pipeline.store.database import create_database_engine, upgrade_schema
from imports_pipeline.store.repository import SessionRepository

EXPECTED_TABLES = {
    "import_sessions",
    "stored_files",
    "corrections",
    "remembered_mappings",
    "api_keys",
    "idempotency_keys",
    "alembic_version",
    "processing_phases",
    "webhook_subscriptions",
    "webhook_deliveries",
}


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request, tmp_path):
    url = (
        f"sqlite:///{tmp_path / 'store.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    engine = create_database_engine(url)
    upgrade_schema(engine)
    yield engine
    engine.dispose()


def test_migrations_create_every_table_and_are_idempotent(engine):
    upgrade_schema(engine)
    assert set(sa.inspect(engine).get_table_names()) >= EXPECTED_TABLES


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    engine = create_database_engine(f"sqlite:///{tmp_path / 'nested' / 'store.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_remembered_mapping_prefers_the_most_confirmed_header_present_in_the_file(engine):
    repository = SessionRepository(engine)
    now = datetime(2026, 4, 8, 14, 0)
    repository.remember_mapping("org", "logistics_requests", {"distance_km": "Km"}, now)
    repository.remember_mapping("org", "logistics_requests", {"distance_km": "Distancia"}, now)
    repository.remember_mapping("org", "logistics_requests", {"distance_km": "Distancia"}, now)
    repository.remember_mapping("other-org", "logistics_requests", {"client": "Cliente"}, now)
    assert repository.remembered_mapping(
        "org", "logistics_requests", ["Km", "Distancia", "Cliente"]
    ) == {"distance_km": "Distancia"}
    assert repository.remembered_mapping("org", "logistics_requests", ["Km"]) == {
        "distance_km": "Km"
    }
    assert repository.remembered_mapping("org", "leads", ["Km"]) == {}


def test_the_migrations_build_exactly_the_tables_the_code_declares(engine):
    """Alembic's own comparison: a column, index or type in tables.py that no migration creates
    (or the reverse) is listed here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from imports_pipeline.store.tables import Base

    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def _terminate_other_connections(url: str) -> int:
    """Close, from the server's side, every other connection to ``url``'s database."""
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        closed = connection.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    admin.dispose()
    return int(closed)


def test_a_connection_closed_while_idle_in_the_pool_is_replaced_unseen(postgres_url, monkeypatch):
    """A PostgreSQL restart or idle timeout closes pooled connections; the next checkout of one
    left idle pings it and gets a fresh connection instead of failing the request."""
    import imports_pipeline.store.database as database

    engine = create_database_engine(postgres_url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT 1")).scalar_one() == 1
    assert _terminate_other_connections(postgres_url) == 1
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0)  # as if it sat idle long enough
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT 2")).scalar_one() == 2
    engine.dispose()


def test_a_connection_used_a_moment_ago_is_not_pinged(postgres_url, monkeypatch):
    engine = create_database_engine(postgres_url)
    pings: list[object] = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or ping(c))
    for _ in range(5):
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    assert pings == []
    import imports_pipeline.store.database as database

    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0)
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    assert len(pings) == 1
    engine.dispose()
