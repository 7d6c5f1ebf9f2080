"""`sessions`, `status`, `rollback` and `templates` on this installation's real database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imports_pipeline.cli import main
from imports_pipeline_tests.cli.test_importing import CLEAN, data_dir, destination_trips  # noqa: F401

BROKEN_TEMPLATE = """\
id: Bad Id
name: Broken
columns:
  - key: when
    label: When
    type: date
  - key: amount
    label: Amount
    type: money
  - label: No key
    type: string
"""


def out_of(capsys, *argv: str) -> tuple[int, str]:
    status = main(list(argv))
    return status, capsys.readouterr().out


@pytest.fixture
def imported(data_dir, tmp_path, capsys) -> str:
    trips = tmp_path / "trips.csv"
    trips.write_text(CLEAN)
    status, out = out_of(
        capsys,
        "import",
        str(trips),
        "--template",
        "logistics_requests",
        "--locale",
        "es_ES",
        "--json",
    )
    assert status == 0, out
    return json.loads(out)["import_id"]


def test_sessions_list_show_and_status_describe_the_import(imported, capsys):
    status, out = out_of(capsys, "sessions", "list")
    assert status == 0
    [header, line] = out.splitlines()
    assert header.split()[:3] == ["id", "status", "template"]
    assert line.split()[:6] == [imported, "submitted", "logistics_requests", "trips.csv", "2", "0"]
    status, out = out_of(capsys, "sessions", "show", imported, "--json")
    assert json.loads(out)["id"] == imported and json.loads(out)["total_rows"] == 2
    status, out = out_of(capsys, "status", imported)
    assert f"{imported}: submitted, processing completed" in out
    assert any(line.split()[:2] == ["process", "completed"] for line in out.splitlines())
    # Another organization's import does not exist for it.
    assert main(["status", imported, "--org", "someone-else"]) == 2
    assert "IMPORT_NOT_FOUND" in capsys.readouterr().err


def test_rollback_takes_the_rows_out_again(imported, capsys):
    assert destination_trips() == [("R1", 10.5), ("R2", 1020.25)]
    status, out = out_of(capsys, "rollback", imported, "--json")
    assert status == 0 and json.loads(out)["processing_status"] == "rolled_back"
    assert destination_trips() == []


def test_sessions_list_refuses_an_unknown_status(data_dir, capsys):
    assert main(["sessions", "list", "--status", "done"]) == 2
    assert "--status 'done'" in capsys.readouterr().err


def test_templates_show_prints_columns_types_and_options(capsys):
    status, out = out_of(capsys, "templates", "show", "logistics_requests")
    lines = out.splitlines()
    assert status == 0 and lines[0] == "logistics_requests: Logistics requests (key: reference)"
    fuel = next(line for line in lines if line.startswith("fuel_type"))
    assert fuel.split()[:3] == ["fuel_type", "Fuel", "type"] and "diesel" in fuel
    assert "… (" in next(line for line in lines if line.startswith("origin_country"))


def test_templates_check_lists_every_problem_with_its_line(tmp_path: Path, capsys):
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN_TEMPLATE)
    status, out = out_of(capsys, "templates", "check", str(broken))
    assert status == 2
    problems = out.splitlines()
    assert any(p.startswith(f"{broken}:1: id") for p in problems)  # the bad id, on line 1
    assert any(p.startswith(f"{broken}:9: columns[1].type") for p in problems)
    assert any(p.startswith(f"{broken}:10: columns[2].key") for p in problems)  # missing key
    good = tmp_path / "good.yaml"
    good.write_text(
        BROKEN_TEMPLATE.split("columns:")[0].replace("Bad Id", "good") + "columns:\n"
        "  - key: when\n    label: When\n    type: date\n"
    )
    assert out_of(capsys, "templates", "check", str(good)) == (0, f"{good}: no problems\n")
