"""Workbook parts inflated once, counted and thrown away, before any parser sees them.

A zip-based workbook (.xlsx, .xlsm, .ods) is a zip of XML parts. Its directory says how large
each part is, but a crafted file can say anything there. python-calamine's zip reader happens to
stop a part that outgrows its declared size (as "corrupt"); this check does not rest on that. Each
part's deflate stream is inflated here, in chunks that are counted and dropped, and the workbook
is refused as soon as a part passes the size or ratio limit: memory stays at a chunk, whatever the
directory claims. A part the directory declares too large is refused at once, without inflating
anything.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from imports_pipeline.errors import UnreadableFileError, WorkbookTooLargeError

READ_CHUNK_BYTES = 1 << 20
"""Compressed bytes read at a time."""
INFLATE_CHUNK_BYTES = 4 << 20
"""Inflated bytes produced at a time: the most one part holds in memory here."""
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, then the name and extra field lengths


@dataclass(frozen=True)
class PartLimits:
    """What one part may inflate to; the defaults are the settings'."""

    max_bytes: int = 1 << 30
    """A 1,048,576-row sheet of ten columns is about 400 MB of XML."""
    max_ratio: float = 200
    """Real sheet XML compresses 5-30 times; a 774 KB workbook whose sheet XML was 600 MB (775
    times) took 2.6 GiB to parse."""
    ratio_floor_bytes: int = 16 << 20
    """Parts smaller than this are never refused for their ratio (a sheet of blanks)."""

    def allowed(self, compressed_bytes: int) -> int:
        """The most bytes a part of ``compressed_bytes`` may inflate to."""
        by_ratio = max(self.ratio_floor_bytes, int(self.max_ratio * max(compressed_bytes, 1)))
        return min(self.max_bytes, by_ratio)


DEFAULT_PART_LIMITS = PartLimits()


def check_workbook_parts(path: Path, limits: PartLimits = DEFAULT_PART_LIMITS) -> None:
    """Refuse a zip-based workbook any of whose parts inflates past ``limits``; silent for a
    file that is not a zip (an .xls, or a broken file: the reader says what it is)."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        return
    with archive, open(path, "rb") as handle:
        parts = archive.infolist()
        for part in parts:
            _refuse_declared(part, limits)
        try:
            for part in parts:
                _check_inflated(handle, part, limits)
        except zipfile.BadZipFile as error:
            raise UnreadableFileError(
                "The workbook is corrupt or not a spreadsheet.", detail=str(error)
            ) from error


def _refuse_declared(part: zipfile.ZipInfo, limits: PartLimits) -> None:
    if part.file_size > limits.allowed(part.compress_size):
        raise _too_large(part, part.file_size, limits, "would decompress to")


def _check_inflated(handle: BinaryIO, part: zipfile.ZipInfo, limits: PartLimits) -> None:
    if part.compress_type != zipfile.ZIP_DEFLATED:
        # Stored bytes are as many as the compressed ones, which the file itself bounds. Other
        # methods (bzip2, lzma) are not what spreadsheet writers use: checked by their
        # declared size only.
        return
    allowed = limits.allowed(part.compress_size)
    handle.seek(_data_offset(handle, part))
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    compressed_left, inflated = part.compress_size, 0
    pending = b""
    while not inflater.eof:
        if not pending:
            pending = handle.read(min(READ_CHUNK_BYTES, compressed_left))
            if not pending:
                break  # the part's compressed bytes, or the file, ended
            compressed_left -= len(pending)
        try:
            inflated += len(inflater.decompress(pending, INFLATE_CHUNK_BYTES))
        except zlib.error as error:
            raise zipfile.BadZipFile(f"{part.filename}: {error}") from error
        pending = inflater.unconsumed_tail
        if inflated > allowed:
            raise _too_large(part, inflated, limits, "inflates to more than")


def _data_offset(handle: BinaryIO, part: zipfile.ZipInfo) -> int:
    """Where a member's compressed bytes start: after its local header, whose name and extra
    field may differ in length from the directory's."""
    handle.seek(part.header_offset)
    raw = handle.read(_LOCAL_HEADER.size)
    if len(raw) < _LOCAL_HEADER.size:
        raise zipfile.BadZipFile(f"{part.filename}: the file ends inside its local header")
    header: tuple[bytes, int, int] = _LOCAL_HEADER.unpack(raw)
    signature, name_length, extra_length = header
    if signature != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"{part.filename}: no local header where the directory says")
    return part.header_offset + _LOCAL_HEADER.size + name_length + extra_length


def _too_large(
    part: zipfile.ZipInfo, size: int, limits: PartLimits, verb: str
) -> WorkbookTooLargeError:
    ratio = size / max(part.compress_size, 1)
    return WorkbookTooLargeError(
        f"The workbook part {part.filename} {verb} {size:,} bytes ({ratio:,.0f} times its"
        f" {part.compress_size:,} compressed bytes); at most {limits.max_bytes:,} bytes and"
        f" {limits.max_ratio:g} times are read (settings IMPORTS_MAX_WORKBOOK_PART_BYTES,"
        " IMPORTS_MAX_WORKBOOK_PART_RATIO)",
        part=part.filename,
        decompressed_bytes=size,
        compressed_bytes=part.compress_size,
    )
