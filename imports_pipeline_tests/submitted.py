"""Submitted imports for the processing tests: small real CSV files with a Reference key, through
ImportService."""

from __future__ import annotations

import io
from datetime import date

import sqlalchemy as sa

from imports_pipeline.destination import destination_tables
from imports_pipeline.sessions import ImportService
from imports_pipeline.vocabulary import Actor
from imports_pipeline_tests.service import SEED_MAPPING

ACTOR = Actor(organization_id="org-processing", user_id="user-1")
HEADER = "Reference;Trip Date;Client;Distance;Origin Country;Destination Country"
MAPPING = {**SEED_MAPPING, "reference": "Reference"}

MESSY_FILE = [
    "R1;2026-03-01;ACME;10,5;ES;FR",
    "R2;2026-03-02;ACME;20;ES;FR",
    "R2;2026-03-03;Rhein;30;ES;FR",  # repeats R2: a duplicate_key error, left out at submit
    "R3;2026-03-04;ACME;-5;ES;FR",  # negative distance: out_of_range, left out at submit
    "R4;2026-03-05;ACME;40;IT;DE",
]
"""Five rows: R2 twice and R3 invalid, so it can only be submitted with ignore_errors."""


def submit_rows(
    service: ImportService,
    lines: list[str],
    action: str = "merge",
    duplicate_handling: str = "ignore_all",
    ignore_errors: bool = True,
    actor: Actor = ACTOR,
) -> str:
    content = "\n".join([HEADER, *lines]) + "\n"
    created = service.create_session(
        actor,
        "logistics_requests",
        "trips.csv",
        io.BytesIO(content.encode()),
        numeric_locale="es_ES",
    )
    service.validate(actor, created.import_id, MAPPING)
    service.submit(
        actor,
        created.import_id,
        ignore_errors=ignore_errors,
        action=action,
        duplicate_handling=duplicate_handling,
    )
    return created.import_id


def trip(
    reference: str,
    day: int,
    client: str,
    distance: float,
    origin: str,
    destination: str,
    import_id: str,
) -> tuple:
    """A destination row as ``destination_rows`` returns it."""
    return (reference, date(2026, 3, day), client, distance, origin, destination, import_id)


def destination_rows(
    engine: sa.Engine, service: ImportService, organization_id: str = ACTOR.organization_id
) -> list[tuple]:
    """The organization's logistics rows in the destination, by key: what an import must leave
    exactly."""
    rows = destination_tables(service.catalog.get("logistics_requests")).rows
    columns = [
        "row_key",
        "trip_date",
        "client",
        "distance_km",
        "origin_country",
        "destination_country",
        "import_id",
    ]
    if not sa.inspect(engine).has_table(rows.name):
        return []
    with engine.connect() as connection:
        query = (
            sa.select(*[rows.c[c] for c in columns])
            .where(rows.c.organization_id == organization_id)
            .order_by(rows.c.row_key)
        )
        return [tuple(r) for r in connection.execute(query)]
