"""Workbook parts that would decompress past the limits are refused before any parser inflates
them (issue 14: a 774 KB .xlsx whose sheet XML was 600 MB took 2.6 GiB)."""

from __future__ import annotations

import resource
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from imports_pipeline.engine.reading import TableLimits, read_table
from imports_pipeline.engine.workbook_parts import PartLimits
from imports_pipeline.errors import UnreadableFileError, WorkbookTooLargeError


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


def with_declared_size(path: Path, part_name: str, declared: int) -> Path:
    """The same zip with ``part_name``'s uncompressed size rewritten in its local header and
    in the directory: a crafted file that says its 300 MB sheet is ``declared`` bytes."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        part = archive.getinfo(part_name)
    name = part_name.encode()
    # Local header: the uncompressed size sits 22 bytes in.
    struct.pack_into("<I", data, part.header_offset + 22, declared)
    # Directory entry: 46 bytes of fixed fields, then the name; the size sits 24 bytes in.
    entry = data.index(b"PK\x01\x02", part.header_offset)
    while data[entry + 46 : entry + 46 + len(name)] != name:
        entry = data.index(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", data, entry + 24, declared)
    lying = path.with_name("lying.xlsx")
    lying.write_bytes(bytes(data))
    return lying


def test_a_zip_bomb_whose_directory_lies_is_refused_while_inflating_in_chunks(tmp_path):
    path = with_declared_size(bomb(tmp_path, 300 << 20), "xl/worksheets/sheet1.xml", 2_000)
    with zipfile.ZipFile(path) as archive:  # the lie is what a reader of the directory sees
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size == 2_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(WorkbookTooLargeError) as refused:
        read_table(path, "lying.xlsx")
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert refused.value.context["part"] == "xl/worksheets/sheet1.xml"
    # Stopped at 200 times the part's compressed bytes, give or take one inflated chunk, not
    # at the 300 MB the stream holds.
    allowed = 200 * refused.value.context["compressed_bytes"]
    inflated = refused.value.context["decompressed_bytes"]
    assert allowed < inflated <= allowed + (4 << 20) < 100 << 20, inflated
    assert "inflates to more than" in refused.value.message
    assert grown_mb < 100


def test_the_part_limits_are_the_ones_given(tmp_path):
    """A part of 8 MB of sheet XML passes the defaults and is refused at 4 MB."""
    path = bomb(tmp_path, 8 << 20)
    assert read_table(path, "ok.xlsx").total_rows == 1
    small = TableLimits(workbook_parts=PartLimits(max_bytes=4 << 20))
    with pytest.raises(WorkbookTooLargeError) as refused:
        read_table(path, "ok.xlsx", limits=small)
    assert "at most 4,194,304 bytes" in refused.value.message


def test_a_part_whose_deflate_stream_is_broken_is_reported_as_corrupt(tmp_path):
    path = bomb(tmp_path, 1000)
    with zipfile.ZipFile(path) as archive:
        part = archive.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    start = part.header_offset + 30 + len(part.filename) + len(part.extra)
    data[start : start + 16] = b"\xff" * 16  # not a deflate block header
    path.write_bytes(bytes(data))
    with pytest.raises(UnreadableFileError) as refused:
        read_table(path, "broken.xlsx")
    assert "xl/worksheets/sheet1.xml" in refused.value.context["detail"]
