"""The README's "Writing a template of your own", run as written: its ``sh`` blocks, in order, in
one bash, in a scratch folder that sees the checkout's ``imports_pipeline/`` and ``.venv/``.

A block may say how it ends with a comment ``# exit status N: what it prints``; the test holds the
block to that status and that text, and every other block to status 0. Then it reads the
destination the blocks wrote, so the README's claims about created and unchanged rows are checked
against the rows themselves.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import openpyxl
import sqlalchemy as sa

from imports_pipeline_tests.end_to_end.processes import REPO_ROOT
from imports_pipeline_tests.test_readme_walkthrough import scratch_checkout

README = REPO_ROOT / "README.md"
SECTION = "### Writing a template of your own"
BLOCK_END = "__block_exit_status__"
STATED = re.compile(r"^# exit status (\d+): (.*)$", re.MULTILINE)


def template_blocks(readme: str) -> list[str]:
    """The ``sh`` blocks of the section, up to the next heading of any level."""
    start = readme.index(SECTION)
    end = re.compile(r"^#{2,3} ", re.MULTILINE).search(readme, start + len(SECTION))
    section = readme[start : end.start() if end else len(readme)]
    return re.findall(r"^```sh\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)


def stated_ending(block: str) -> tuple[int, str | None]:
    """The exit status and text a block's comment promises (0 and nothing when it says none)."""
    stated = STATED.search(block)
    return (int(stated.group(1)), stated.group(2)) if stated else (0, None)


def reader_environment() -> dict[str, str]:
    """This machine's environment without any ``IMPORTS_*`` setting: the reader has none."""
    return {name: value for name, value in os.environ.items() if not name.startswith("IMPORTS_")}


def run_blocks(blocks: list[str], work: Path) -> list[tuple[int, str]]:
    """Every block in one bash (so the ``export`` carries on), with each one's status and output."""
    script = "".join(f"{block}\necho {BLOCK_END}=$?\n" for block in blocks)
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=work,
        env=reader_environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    print(done.stdout, done.stderr, sep="\n")
    # Both streams, in order per stream: a block's output is what precedes its marker on stdout;
    # its error lines are matched against the whole of stderr.
    parts = re.split(rf"^{BLOCK_END}=(\d+)$\n", done.stdout, flags=re.MULTILINE)
    outputs, statuses = parts[0:-1:2], [int(status) for status in parts[1::2]]
    assert len(statuses) == len(blocks), done.stderr
    return [(status, out + done.stderr) for status, out in zip(statuses, outputs, strict=True)]


def test_the_readme_section_has_its_steps_and_says_how_they_end():
    blocks = template_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) == 6
    assert [stated_ending(block)[0] for block in blocks] == [0, 2, 0, 2, 1, 0]


def test_writing_a_template_and_importing_with_it_works_as_the_readme_says(tmp_path):
    blocks = template_blocks(README.read_text(encoding="utf-8"))
    work = scratch_checkout(tmp_path / "reader")

    results = run_blocks(blocks, work)

    for block, (status, output) in zip(blocks, results, strict=True):
        expected_status, expected_text = stated_ending(block)
        assert status == expected_status, (block, output)
        if expected_text is not None:
            # The comment may leave text out with "…", and squeezes the summary's alignment to
            # single spaces; each piece must be printed.
            printed = re.sub(r"[ \t]+", " ", output)
            for piece in expected_text.split("…"):
                assert piece.strip() in printed, (piece, output)
    checked, _, shown, _, first, corrected = (output for _, output in results)
    assert "my_templates/supplier_invoices.yaml: no problems" in checked
    assert re.search(r"^net_amount +Net amount +number +yes", shown, re.MULTILINE), shown
    assert re.search(r"^currency +Currency +category +EUR, USD", shown, re.MULTILINE), shown
    assert re.search(r"errors by column +net_amount 1", first), first
    assert re.search(r"created/updated/unchanged/deleted +1/0/2/0", corrected), corrected

    report = openpyxl.load_workbook(work / "facturas.errors.xlsx")["errors"]
    header, *rows = report.iter_rows(values_only=True)
    reported = [dict(zip(header, row, strict=True)) for row in rows]
    assert [
        (row["spreadsheet_row"], row["Nº factura"], row["error_codes"]) for row in reported
    ] == [(4, "F-2026-003", "out_of_range")]

    destination = sa.create_engine(f"sqlite:///{work / 'data' / 'destination.db'}")
    with destination.connect() as connection:
        written = connection.execute(
            sa.text(
                "SELECT invoice_number, supplier, issue_date, net_amount, currency"
                " FROM imports_supplier_invoices ORDER BY invoice_number"
            )
        ).all()
    destination.dispose()
    assert [tuple(row) for row in written] == [
        ("F-2026-001", "Transportes Ruiz S.L.", "2026-11-03", 1250.4, "EUR"),
        ("F-2026-002", "Logística Norte", "2026-11-05", 980.0, "EUR"),
        ("F-2026-003", "Acme Freight Inc.", "2026-11-07", 15.0, "USD"),
    ]
