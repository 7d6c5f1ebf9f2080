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
"""The contract's mapping: its five columns, without the sample's key."""
SAMPLE_MAPPING = {**SEED_MAPPING, "reference": "Reference"}
"""What the suggestion maps in the sample: the contract's five columns and the key, Reference."""

SESSION_FIELDS = {
    "id",
    "organization_id",
    "user_id",
    "template_id",
    "file_name",
    "file_type",
    "status",
    "numeric_locale",
    "actor_type",
    "actor_api_key_id",
    "total_rows",
    "valid_rows",
    "error_rows",
    "source_columns",
    "mapping",
    "errors_by_column",
    "status_detail",
    "submitted_file_id",
    "processing_job_id",
    "raw_file_id",
    "project_id",
    "folder_id",
    "selected_sheet",
    "detected_header_row",
    "expires_at",
    "created_at",
    "updated_at",
}
"""The session object's fields in the List Import Sessions document."""
REFERENCE_FIELDS = {
    "name",
    "note",
    "import_code",
    "type",
    "file_size",
    "checksum",
    "has_upload_file",
    "has_errors_file",
    "updated_by",
    "processing_status",
    "processed_rows",
    "failed_rows",
    "success_rate",
    "started_at",
    "finished_at",
    "completed_at",
    "dagster_run_id",
    "import_status",
    "reason",
    "imported_by",
}
"""What the other reference documents add to it (PackageX, Fleetio, Leadsy; issue 9)."""


def build_service(
    database_url: str, root: Path, clock: Callable[[], datetime] = utc_now
) -> ImportService:
    engine = create_database_engine(database_url)
    upgrade_schema(engine)
    return ImportService(
        Stores.on(engine, FileStore(root / "files"), clock=clock), TemplateCatalog(), clock=clock
    )
