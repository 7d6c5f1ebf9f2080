"""`imports-pipeline import`, run as a user would: real files, the data folder's real database,
the processing phases in the same process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from imports_pipeline.cli import main
from imports_pipeline.destination import destination_tables
from imports_pipeline.sessions import ImportService
from imports_pipeline.settings import Settings
from imports_pipeline.vocabulary import PHASE_ORDER
from imports_pipeline_tests.service import SAMPLE_CSV

CLEAN = (
    "Reference;Trip Date;Client;Distance;Origin Country;Destination Country\n"
    "R1;2026-03-01;ACME;10,5;ES;FR\n"
    "R2;2026-03-02;Rhein;1.020,25;ES;DE\n"
)


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("IMPORTS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("IMPORTS_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "data"


def import_(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["import", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def destination_trips() -> list[tuple]:
    """(key, distance) of the rows in this installation's destination, as the product defines
    the table."""
    service = ImportService.from_settings(Settings.from_environment())
    rows = destination_tables(service.catalog.get("logistics_requests")).rows
    with service.stores.destination.connect() as connection:
        if not sa.inspect(connection).has_table(rows.name):
            return []
        query = sa.select(rows.c.reference, rows.c.distance_km).order_by(rows.c.reference)
        return [tuple(row) for row in connection.execute(query)]


def test_a_clean_file_is_imported_and_a_second_run_changes_nothing(data_dir, tmp_path, capsys):
    trips = tmp_path / "trips.csv"
    trips.write_text(CLEAN)
    args = (str(trips), "--template", "logistics_requests", "--locale", "es_ES")
    status, out, _ = import_(capsys, *args)
    assert status == 0, out
    assert "created/updated/unchanged/deleted  2/0/0/0" in out
    assert destination_trips() == [("R1", 10.5), ("R2", 1020.25)]
    status, out, _ = import_(capsys, *args)
    assert status == 0 and "created/updated/unchanged/deleted  0/0/2/0" in out


def test_rows_with_errors_stop_the_import_and_leave_a_report(data_dir, capsys):
    status, out, err = import_(
        capsys, str(SAMPLE_CSV), "--template", "logistics_requests", "--locale", "es_ES"
    )
    assert status == 1 and "nothing was imported" in err
    assert "with errors                        2" in out and "distance_km 2" in out
    report = Path("logistics_march.errors.xlsx")
    assert report.exists()
    assert openpyxl.load_workbook(report).worksheets[0].max_row >= 3  # header + 2 rows
    assert destination_trips() == []


def test_ignore_errors_imports_the_valid_rows_and_still_exits_1(data_dir, capsys):
    status, out, _ = import_(
        capsys,
        str(SAMPLE_CSV),
        "--template",
        "logistics_requests",
        "--locale",
        "es_ES",
        "--ignore-errors",
        "--json",
    )
    result = json.loads(out)
    assert status == 1 and result["submitted"] is True
    assert (result["valid_rows"], result["error_rows"]) == (238, 2)
    assert result["stats"] == {"created": 238, "updated": 0, "unchanged": 0, "deleted": 0}
    assert len(destination_trips()) == 238


def test_a_dry_run_writes_nothing(data_dir, tmp_path, capsys):
    trips = tmp_path / "trips.csv"
    trips.write_text(CLEAN)
    status, out, _ = import_(
        capsys, str(trips), "--template", "logistics_requests", "--locale", "es_ES", "--dry-run"
    )
    assert status == 0 and "valid                              2" in out
    assert destination_trips() == []


def test_headers_it_cannot_map_confidently_stop_with_a_mapping_to_fill_in(
    data_dir, tmp_path, capsys
):
    trips = tmp_path / "odd.csv"
    trips.write_text(CLEAN.replace("Trip Date", "Col A").replace("Distance", "Col B"))
    status, _, err = import_(capsys, str(trips), "--template", "logistics_requests")
    assert status == 2
    assert "trip_date" in err and "distance_km" in err and "--mapping" in err
    draft = tmp_path / "odd.mapping.json"
    mapping = json.loads(draft.read_text())
    mapping.update(trip_date="Col A", distance_km="Col B")
    draft.write_text(json.dumps(mapping))
    status, out, _ = import_(
        capsys,
        str(trips),
        "--template",
        "logistics_requests",
        "--locale",
        "es_ES",
        "--mapping",
        str(draft),
    )
    assert status == 0, out
    assert destination_trips() == [("R1", 10.5), ("R2", 1020.25)]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["missing.csv", "--template", "logistics_requests"], "No such file"),
        ([str(SAMPLE_CSV), "--template", "nope"], "TEMPLATE_NOT_FOUND"),
        ([str(SAMPLE_CSV), "--template", "logistics_requests", "--locale", "xx"], "xx"),
    ],
)
def test_bad_input_exits_2_with_a_message(data_dir, capsys, argv, message):
    status, _, err = import_(capsys, *argv)
    assert status == 2 and message in err


def test_usage_errors_exit_2_and_help_shows_an_example(capsys):
    with pytest.raises(SystemExit) as usage:
        main(["import", "trips.csv"])  # no --template
    assert usage.value.code == 2
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    assert "imports-pipeline import trips.csv --template" in capsys.readouterr().out


@pytest.mark.slow
def test_progress_lines_on_a_large_file_without_a_terminal(tmp_path):
    lines = [CLEAN.splitlines()[0]] + [
        f"R{n};2026-03-01;ACME;{n % 900},5;ES;FR" for n in range(50_000)
    ]
    big = tmp_path / "big.csv"
    big.write_text("\n".join(lines) + "\n")
    env = {**os.environ, "IMPORTS_DATA_DIR": str(tmp_path / "data")}
    env.pop("IMPORTS_DATABASE_URL", None)
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "imports-pipeline"),
            "import",
            str(big),
            "--template",
            "logistics_requests",
            "--locale",
            "es_ES",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    said = done.stdout.splitlines()
    ends = [line.split(":")[0] for line in said if "rows/s" in line and "running" not in line]
    assert ends == ["read", "validate", "process"]
    assert "read: 50,000 rows in" in done.stdout
    # Within the processing step, a line as each phase ends, with its rows and their speed.
    # (The periodic lines between two phases repeat the last one: one per phase is kept.)
    parts = {x.split(", ", 2)[2]: x for x in said if x.startswith("process: running, ")}
    phase_lines = [line for part, line in parts.items() if "rows/s" in part]
    assert [line.split(", ")[3].split()[0] for line in phase_lines] == list(PHASE_ORDER)
    assert [line.split(", ")[2] for line in phase_lines] == [
        f"{n}/{len(PHASE_ORDER)} phases" for n in range(1, len(PHASE_ORDER) + 1)
    ]
    assert all(" 50,000 rows in " in line and " rows/s)" in line for line in phase_lines)
    assert said.index(phase_lines[-1]) < said.index(
        next(line for line in said if line.startswith("process: 50,000 rows in "))
    )
    assert "created/updated/unchanged/deleted  50000/0/0/0" in done.stdout


def test_demo_runs_on_its_own_folder_and_never_touches_the_installation(data_dir, capsys):
    """Its corrections are invented (a distance of 128.4): they must not land beside real data."""
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "== 7. submit" in out and "./data is not touched" in out
    assert not data_dir.exists()  # not even created


def test_server_without_an_api_key_is_a_usage_error(data_dir, capsys):
    status, _, err = import_(
        capsys, str(SAMPLE_CSV), "--template", "logistics_requests", "--server", "http://x"
    )
    assert status == 2 and "--api-key" in err


@pytest.mark.slow
def test_the_same_import_against_a_live_server_through_the_client(tmp_path, capsys, monkeypatch):
    """--server: create, map and validate on a real uvicorn; the error report comes back over
    HTTP. (Processing there needs the server's Dagster daemon: the client tests cover it.)"""
    from imports_pipeline_tests.end_to_end.processes import (
        Server,
        create_api_key,
        running,
        server_environment,
    )

    env = server_environment(tmp_path / "server", f"sqlite:///{tmp_path / 'server' / 'i.db'}")
    key = create_api_key(env, "org-remote")
    monkeypatch.chdir(tmp_path)
    with running(tmp_path, env) as processes:
        api = Server(processes, key, "org-remote")
        api.start()
        remote = ("--server", api.url, "--org", "org-remote", "--api-key", key)
        status, out, err = import_(
            capsys,
            str(SAMPLE_CSV),
            "--template",
            "logistics_requests",
            "--locale",
            "es_ES",
            *remote,
        )
        assert status == 1 and "with errors                        2" in out, err
        assert openpyxl.load_workbook(tmp_path / "logistics_march.errors.xlsx").worksheets[0]
        trips = tmp_path / "trips.csv"
        trips.write_text(CLEAN)
        status, out, _ = import_(
            capsys,
            str(trips),
            "--template",
            "logistics_requests",
            "--locale",
            "es_ES",
            "--dry-run",
            "--json",
            *remote,
        )
        assert status == 0 and json.loads(out)["valid_rows"] == 2
        listed = api.call("GET", "/v2/imports/sessions").json()
        assert listed["total"] == 2  # both sessions are the server's, not a local folder's
        status, _, err = import_(capsys, str(trips), "--template", "nope", *remote)
        assert status == 2 and "TEMPLATE_NOT_FOUND" in err
