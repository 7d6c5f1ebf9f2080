"""Workbook parts that would decompress past the limits are refused before any parser inflates
them (issue 14: a 774 KB .xlsx whose sheet XML was 600 MB took 2.6 GiB)."""

from __future__ import annotations

import resource
import zipfile
from pathlib import Path

import openpyxl
import pytest

from imports_pipeline.engine.reading import read_table
from imports_pipeline.errors import WorkbookTooLargeError


def bomb(tmp_path: Path, padding_bytes: int) -> Path:
    """A real workbook whose sheet XML carries ``padding_bytes`` of whitespace before its end:
    valid XML that compresses about a thousand times."""
    plain = tmp_path / "plain.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Trip Date", "Client"])
    workbook.active.append(["2026-03-01", "ACME"])
    workbook.save(plain)
    bombed = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(bombed, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", b" " * padding_bytes + b"</worksheet>")
            target.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return bombed


def test_a_zip_bomb_is_refused_from_the_directory_without_inflating_it(tmp_path):
    path = bomb(tmp_path, 300 << 20)  # 300 MB of sheet XML in a file of a few hundred KB
    assert path.stat().st_size < 1 << 20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(WorkbookTooLargeError) as refused:
        read_table(path, "bomb.xlsx")
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert refused.value.context["part"] == "xl/worksheets/sheet1.xml"
    assert "xl/worksheets/sheet1.xml would decompress to 314,57" in refused.value.message
    assert grown_mb < 100  # the part was never inflated


def test_an_ordinary_workbook_still_reads(tmp_path):
    path = bomb(tmp_path, 1000)  # a little padding: nothing unusual
    parsed = read_table(path, "ok.xlsx")
    assert parsed.total_rows == 1 and parsed.source_columns == ["Trip Date", "Client"]
