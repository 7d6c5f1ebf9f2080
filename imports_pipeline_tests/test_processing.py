"""The processing phases as plain Python, on real sessions, a real SQLite file and the real
PostgreSQL server."""

from __future__ import annotations

from datetime import datetime

import pytest

from imports_pipeline.processing import ImportProcessing
from imports_pipeline.store.database import create_database_engine
from imports_pipeline.vocabulary import PHASE_ORDER, Phase
from imports_pipeline_tests.service import build_service
from imports_pipeline_tests.submitted import ACTOR, MESSY_FILE, destination_rows, submit_rows, trip


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> str:
    return (
        f"sqlite:///{tmp_path / 'imports.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )


@pytest.fixture
def service(database_url, tmp_path):
    service = build_service(database_url, tmp_path)
    yield service
    service.repository.engine.dispose()


@pytest.fixture
def destination(database_url):
    """The destination tables in the session store's database, as by default."""
    engine = create_database_engine(database_url)
    yield engine
    engine.dispose()


def run_all(service, destination, import_id: str) -> dict[str, object]:
    processing = ImportProcessing(service, destination, import_id)
    return {phase: getattr(processing, phase)() for phase in PHASE_ORDER}


def phase_counts(service, import_id: str) -> dict[str, tuple]:
    status = service.status(ACTOR, import_id)
    return {p.phase: (p.status, p.rows_in, p.rows_out, p.rows_rejected) for p in status.phases}


def test_merge_with_ignore_all_imports_no_copy_of_a_repeated_key(service, destination):
    import_id = submit_rows(service, MESSY_FILE, duplicate_handling="ignore_all")
    outcomes = run_all(service, destination, import_id)

    assert destination_rows(destination, service) == [
        trip("R1", 1, "ACME", 10.5, "ES", "FR", import_id),
        trip("R4", 5, "ACME", 40.0, "IT", "DE", import_id),
    ]
    assert phase_counts(service, import_id) == {
        "parse": ("completed", 5, 5, 0),
        "map": ("completed", 5, 5, 0),
        "prevalidate": ("completed", 5, 3, 2),
        "dedupe": ("completed", 3, 2, 1),
        "transform": ("completed", 2, 2, 0),
        "validate": ("completed", 2, 2, 0),
        "process": ("completed", 2, 2, 0),
        "cleanup": ("completed", 5, 2, 0),
    }
    status = service.status(ACTOR, import_id)
    assert [p.phase for p in status.phases] == list(PHASE_ORDER)
    assert all(p.finished_at is not None and p.duration_seconds >= 0 for p in status.phases)
    assert (
        status.processing_status,
        status.total_rows,
        status.processed_rows,
        status.failed_rows,
        status.success_rate,
    ) == (
        "partially_completed",
        5,
        2,
        3,
        40.0,
    )
    assert status.status == "submitted"
    assert outcomes["process"].detail["created"] == 2
    assert outcomes["prevalidate"].rejected_by_column == {"distance_km": 1, "reference": 1}
    rejected = outcomes["cleanup"].detail["errors_file"]
    lines = service.files.path_of(rejected).read_text().splitlines()
    assert lines[0] == "row_index,phase,column,code,message,value"
    assert [line.split(",")[:4] for line in lines[1:]] == [
        ["1", "dedupe", "reference", "duplicate_key"],
        ["2", "prevalidate", "reference", "duplicate_key"],
        ["3", "prevalidate", "distance_km", "out_of_range"],
    ]


def test_merge_with_use_first_keeps_the_first_copy(service, destination):
    import_id = submit_rows(service, MESSY_FILE, duplicate_handling="use_first")
    run_all(service, destination, import_id)

    assert destination_rows(destination, service) == [
        trip("R1", 1, "ACME", 10.5, "ES", "FR", import_id),
        trip("R2", 2, "ACME", 20.0, "ES", "FR", import_id),
        trip("R4", 5, "ACME", 40.0, "IT", "DE", import_id),
    ]
    status = service.status(ACTOR, import_id)
    assert (
        status.processing_status,
        status.processed_rows,
        status.failed_rows,
        status.success_rate,
    ) == (
        "partially_completed",
        3,
        2,
        60.0,
    )
    assert phase_counts(service, import_id)["dedupe"] == ("completed", 3, 3, 0)


def test_a_clean_file_completes_with_every_row(service, destination):
    import_id = submit_rows(
        service,
        ["R1;2026-03-01;ACME;10,5;ES;FR", "R2;2026-03-02;ACME;20;ES;FR"],
        ignore_errors=False,
    )
    run_all(service, destination, import_id)
    status = service.status(ACTOR, import_id)
    assert (
        status.processing_status,
        status.processed_rows,
        status.failed_rows,
        status.success_rate,
    ) == ("completed", 2, 0, 100.0)
    assert len(destination_rows(destination, service)) == 2


def test_overwrite_replaces_the_organizations_rows_with_the_file(service, destination):
    first = submit_rows(
        service,
        ["R1;2026-03-01;ACME;10,5;ES;FR", "R4;2026-03-05;ACME;40;IT;DE"],
        ignore_errors=False,
    )
    run_all(service, destination, first)
    second = submit_rows(
        service,
        ["R1;2026-03-01;ACME;11;ES;FR", "R5;2026-03-06;Rhein;50;FR;ES"],
        action="overwrite",
        ignore_errors=False,
    )
    outcomes = run_all(service, destination, second)

    assert destination_rows(destination, service) == [
        trip("R1", 1, "ACME", 11.0, "ES", "FR", second),
        trip("R5", 6, "Rhein", 50.0, "FR", "ES", second),
    ]
    detail = outcomes["process"].detail
    assert (detail["created"], detail["updated"], detail["unchanged"], detail["deleted"]) == (
        1,
        1,
        0,
        1,
    )
    status = service.status(ACTOR, second)
    assert (status.processing_status, status.processed_rows, status.failed_rows) == (
        "completed",
        2,
        0,
    )


def test_delete_reports_keys_the_destination_does_not_hold(service, destination):
    first = submit_rows(
        service,
        ["R1;2026-03-01;ACME;10,5;ES;FR", "R4;2026-03-05;ACME;40;IT;DE"],
        ignore_errors=False,
    )
    run_all(service, destination, first)
    second = submit_rows(
        service,
        ["R1;2026-03-01;ACME;10,5;ES;FR", "R9;2026-03-09;ACME;1;ES;FR"],
        action="delete",
        ignore_errors=False,
    )
    outcomes = run_all(service, destination, second)

    assert destination_rows(destination, service) == [
        trip("R4", 5, "ACME", 40.0, "IT", "DE", first)
    ]
    rejected = outcomes["validate"].rejected
    assert rejected[["row_index", "code", "value"]].values.tolist() == [[1, "not_found", "R9"]]
    assert outcomes["process"].detail["deleted"] == 1
    status = service.status(ACTOR, second)
    assert (
        status.processing_status,
        status.processed_rows,
        status.failed_rows,
        status.success_rate,
    ) == (
        "partially_completed",
        1,
        1,
        50.0,
    )


def test_running_process_again_leaves_the_destination_exactly_the_same(service, destination):
    import_id = submit_rows(service, MESSY_FILE)
    run_all(service, destination, import_id)
    before = destination_rows(destination, service)
    again = ImportProcessing(service, destination, import_id).process()
    assert destination_rows(destination, service) == before
    assert (again.detail["created"], again.detail["updated"], again.detail["unchanged"]) == (
        0,
        0,
        2,
    )


def test_a_failing_phase_marks_the_phase_and_the_import_failed(service, destination):
    import_id = submit_rows(service, MESSY_FILE)
    processing = ImportProcessing(service, destination, import_id)
    processing.parse(dagster_run_id="run-1")
    with pytest.raises(FileNotFoundError):
        processing.process()  # out of order: validate has not written its rows yet
    status = service.status(ACTOR, import_id)
    assert (status.processing_status, status.dagster_run_id) == ("failed", "run-1")
    assert status.finished_at is not None and status.completed_at is None
    failed = next(p for p in status.phases if p.phase == "process")
    assert failed.status == "failed" and failed.detail["error"].startswith("FileNotFoundError")
    assert status.processed_rows is None and status.success_rate is None
    assert destination_rows(destination, service) == []


def test_status_before_processing_is_queued_with_no_phases(service):
    import_id = submit_rows(service, MESSY_FILE)
    status = service.status(ACTOR, import_id)
    assert (status.processing_status, status.phases, status.processed_rows, status.failed_rows) == (
        "queued",
        [],
        None,
        0,
    )


def test_a_session_handed_off_as_parquet_by_an_earlier_version_still_runs_its_next_phases(
    service, destination
):
    """Hand-offs used to be Parquet: a run interrupted across an upgrade, or re-run from the UI,
    must still find them."""
    import pyarrow.feather as feather
    import pyarrow.parquet as pq

    import_id = submit_rows(service, MESSY_FILE)
    processing = ImportProcessing(service, destination, import_id)
    for phase in ("parse", "map", "prevalidate", "dedupe"):
        getattr(processing, phase)()
    folder = service.files.session_dir(import_id)
    pq.write_table(
        feather.read_table(folder / "processing.dedupe.arrow"), folder / "processing.dedupe.parquet"
    )
    (folder / "processing.dedupe.arrow").unlink()

    for phase in ("transform", "validate", "process", "cleanup"):
        getattr(processing, phase)()

    assert [r[0] for r in destination_rows(destination, service)] == ["R1", "R4"]
    assert service.status(ACTOR, import_id).processing_status == "partially_completed"


def test_process_recomputes_the_keys_when_dedupe_keyed_the_rows_differently(service, destination):
    """A re-run of process after the template's key columns changed must not write the rows under
    dedupe's old keys."""
    import pyarrow as pa
    import pyarrow.feather as feather

    import_id = submit_rows(service, MESSY_FILE)
    processing = ImportProcessing(service, destination, import_id)
    for phase in ("parse", "map", "prevalidate", "dedupe", "transform", "validate"):
        getattr(processing, phase)()
    dedupe_detail = processing.store.phase_detail(import_id, "dedupe")
    assert dedupe_detail["key_columns"] == ["reference"]
    path = service.files.session_dir(import_id) / "processing.validate.arrow"
    table = feather.read_table(path)
    stale = pa.array([f"old-key-{i}" for i in range(table.num_rows)])
    feather.write_feather(
        table.set_column(table.column_names.index("row_key"), "row_key", stale), path
    )
    processing.store.finish_phase(
        import_id,
        "dedupe",
        datetime.now(),
        "completed",
        detail={**dedupe_detail, "key_columns": ["client"]},
    )

    processing.process()

    assert [r[0] for r in destination_rows(destination, service)] == ["R1", "R4"]


def test_transform_and_validate_pass_unchanged_rows_on_without_rewriting_them(service, destination):
    import os

    import_id = submit_rows(service, MESSY_FILE)
    outcomes = run_all(service, destination, import_id)
    folder = service.files.session_dir(import_id)
    inodes = {
        phase: os.stat(folder / f"processing.{phase}.arrow").st_ino
        for phase in ("dedupe", "transform", "validate")
    }
    assert len(set(inodes.values())) == 1  # one file, three names
    assert (
        outcomes["transform"].rows_in,
        outcomes["transform"].rows_out,
        outcomes["validate"].rows_out,
    ) == (2, 2, 2)
    assert outcomes["transform"].detail == {"columns_added": [], "columns_dropped": []}


def test_transform_reshapes_rows_handed_off_in_another_shape(service, destination):
    """Dedupe output of an earlier version: ``row_key`` last, a template column missing, an extra
    column."""
    import pyarrow as pa
    import pyarrow.feather as feather

    import_id = submit_rows(service, MESSY_FILE)
    processing = ImportProcessing(service, destination, import_id)
    for phase in ("parse", "map", "prevalidate", "dedupe"):
        getattr(processing, phase)()
    path = service.files.session_dir(import_id) / "processing.dedupe.arrow"
    table = feather.read_table(path)
    keys = table.column("row_key")
    table = table.drop_columns(["row_key", "fuel_type"]).append_column("row_key", keys)
    feather.write_feather(table.append_column("note", pa.array(["x"] * table.num_rows)), path)

    transformed = processing.transform()

    assert transformed.detail == {"columns_added": ["fuel_type"], "columns_dropped": ["note"]}
    shaped = processing.hand_offs.read(Phase.TRANSFORM)
    assert shaped.columns.tolist() == [
        "row_index",
        "row_key",
        *service.catalog.get("logistics_requests").column_keys,
    ]
    assert shaped["fuel_type"].isna().all() and shaped["row_key"].tolist() == ["R1", "R4"]
    for phase in ("validate", "process", "cleanup"):
        getattr(processing, phase)()
    assert [r[0] for r in destination_rows(destination, service)] == ["R1", "R4"]
