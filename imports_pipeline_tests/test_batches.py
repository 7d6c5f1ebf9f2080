"""Scheduled batch imports from a source folder, on real files and a real database."""

from __future__ import annotations

import pytest

from imports_pipeline.batches import load_batches, run_batch
from imports_pipeline.errors import DomainError
from imports_pipeline.vocabulary import Actor
from imports_pipeline_tests.service import SAMPLE_CSV, build_service

CONFIG = """
batches:
  - name: partner_trips
    cron: "0 2 * * *"
    organization_id: org-batch
    template_id: logistics_requests
    source: {source}/trips_*.csv
    settings: {{numeric_locale: es_ES, ignore_errors: true, action: overwrite}}
"""


@pytest.fixture
def service(tmp_path):
    return build_service(f"sqlite:///{tmp_path / 'imports.db'}", tmp_path)


def test_new_contents_are_imported_once_and_the_source_is_left_alone(service, tmp_path):
    source = tmp_path / "sftp"
    source.mkdir()
    (source / "trips_march.csv").write_bytes(SAMPLE_CSV.read_bytes())
    (source / "other.csv").write_bytes(b"ignored")
    config = tmp_path / "batches.yaml"
    config.write_text(CONFIG.format(source=source))
    [batch] = load_batches(config)
    root = tmp_path / "drops"

    [outcome] = run_batch(service, root, batch)
    assert (outcome.outcome, outcome.rows["submitted"]) == ("submitted", 238)
    status = service.status(Actor("org-batch"), outcome.import_id)
    assert (status.status, status.actor_type, status.submission.action) == (
        "submitted",
        "sensor",
        "overwrite",
    )
    assert (source / "trips_march.csv").read_bytes() == SAMPLE_CSV.read_bytes()
    assert (
        root / outcome.moved_to
    ).parent == root / "processed" / "org-batch" / "logistics_requests"

    assert run_batch(service, root, batch) == []  # same content: nothing to do
    lines = SAMPLE_CSV.read_text().splitlines()
    (source / "trips_march.csv").write_text(
        "\n".join(lines[:11]) + "\n"
    )  # rewritten in place with new content
    [again] = run_batch(service, root, batch)
    assert again.outcome == "submitted" and again.rows["total"] == 10


def test_a_broken_batches_file_names_the_field(tmp_path):
    config = tmp_path / "batches.yaml"
    config.write_text(
        "batches:\n  - name: x\n    cron: '@daily'\n    organization_id: o\n    template_id: t\n"
    )
    with pytest.raises(DomainError, match="source"):
        load_batches(config)
    config.write_text(
        CONFIG.format(source="/a") + CONFIG.format(source="/b").replace("batches:\n", "")
    )
    with pytest.raises(DomainError, match="repeated: partner_trips"):
        load_batches(config)
    assert load_batches(tmp_path / "missing.yaml") == []
