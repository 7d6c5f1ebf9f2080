"""The run the sensor launches for one submitted session: every phase asset of its partition, and their checks."""

from __future__ import annotations

import dagster as dg

from imports_pipeline.orchestration.assets import GROUP

process_import_job = dg.define_asset_job(
    name="process_import_job",
    selection=dg.AssetSelection.groups(GROUP),
    description="Dedupe, transform, validate and write one submitted import, then summarise it.",
)
