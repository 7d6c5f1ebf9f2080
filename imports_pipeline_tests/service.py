"""Building a real ImportService for tests: real database, real file store, built-in templates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from imports_pipeline.sessions import ImportService
from imports_pipeline.store.database import create_database_engine, upgrade_schema
from imports_pipeline.store.files import FileStore
from imports_pipeline.store.stores import Stores
from imports_pipeline.templates.catalog import TemplateCatalog
from imports_pipeline.vocabulary import utc_now

SAMPLE_CSV = (
    Path(__file__).resolve().parents[1] / "imports_pipeline" / "samples" / "logistics_march.csv"
)
SEED_MAPPING = {
    "trip_date": "Trip Date",
    "client": "Client",
    "distance_km": "Distance",
    "origin_country": "Origin Country",
    "destination_country": "Destination Country",
}


def build_service(
    database_url: str, root: Path, clock: Callable[[], datetime] = utc_now
) -> ImportService:
    engine = create_database_engine(database_url)
    upgrade_schema(engine)
    return ImportService(
        Stores.on(engine, FileStore(root / "files"), clock=clock), TemplateCatalog(), clock=clock
    )
