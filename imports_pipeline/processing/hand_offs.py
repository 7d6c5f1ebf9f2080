"""The tables one processing phase hands to the next, in the session's folder.

Arrow IPC (Feather v2, LZ4), not Parquet: a hand-off lives only until the
session's files expire and is read once or twice, so write and read speed
matter more than size. On a million rows it writes in ~0.1 s and memory-maps
on read, where Parquet took ~0.45 s and ~0.15 s, at each of four hand-offs.
Names are fixed (``processing.<phase>.arrow``) so one phase can be re-run
alone, and every write goes to a temporary file that is then renamed: a reader
sees the old table or the new one, whole. Hand-offs are never changed in
place, which is what lets an unchanged one be hard-linked instead of copied.
"""

from __future__ import annotations

import io
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq

from imports_pipeline.store.files import FileStore
from imports_pipeline.vocabulary import Phase

COMPRESSION = "lz4"


def hand_off_name(phase: Phase) -> str:
    """The fixed name of the table ``phase`` hands to the next one."""
    return f"processing.{phase}.arrow"


def legacy_hand_off_name(phase: Phase) -> str:
    """The Parquet name hand-offs had before: sessions processed by an earlier version still have
    them."""
    return f"processing.{phase}.parquet"


def rejected_name(phase: Phase) -> str:
    """The table of the rows ``phase`` left out, and why (kept after the hand-offs expire)."""
    return f"processing.{phase}.rejected.parquet"


class HandOffs:
    """One session's hand-off tables."""

    def __init__(self, files: FileStore, import_id: str) -> None:
        self.files = files
        self.import_id = import_id

    def path(self, phase: Phase) -> Path:
        return self.files.session_dir(self.import_id) / hand_off_name(phase)

    def read(self, phase: Phase, columns: list[str] | None = None) -> pd.DataFrame:
        path = self.path(phase)
        legacy = path.with_name(legacy_hand_off_name(phase))
        if not path.exists() and legacy.exists():
            return cast("pd.DataFrame", pq.read_table(legacy, columns=columns).to_pandas())
        return cast(
            "pd.DataFrame", feather.read_table(path, columns=columns, memory_map=True).to_pandas()
        )

    def write(self, phase: Phase, frame: pd.DataFrame) -> None:
        self._replace(
            phase,
            lambda path: feather.write_feather(
                frame.reset_index(drop=True), path, compression=COMPRESSION
            ),
        )

    def columns(self, phase: Phase) -> list[str] | None:
        """The column names of ``phase``'s table, read from its footer; None if it has none (yet, or
        legacy)."""
        path = self.path(phase)
        if not path.exists():
            return None
        with pa.memory_map(str(path)) as source:
            return list(pa.ipc.open_file(source).schema.names)

    def pass_on(self, source_phase: Phase, phase: Phase) -> int:
        """``phase``'s table is ``source_phase``'s, unchanged: hard-linked, not rewritten; returns
        its row count."""
        source = self.path(source_phase)
        target = self._replace(phase, lambda path: _link_or_copy(source, path))
        return int(feather.read_table(target, columns=["row_index"], memory_map=True).num_rows)

    def write_rejected(self, phase: Phase, frame: pd.DataFrame) -> str:
        """The rows ``phase`` left out, as Parquet (a record kept for the error file); returns the
        file's name."""
        sink = io.BytesIO()
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink, compression="zstd")
        name = rejected_name(phase)
        self.files.save_bytes(self.import_id, name, sink.getvalue())
        return name

    def read_rejected(self, name: str) -> pd.DataFrame:
        return cast("pd.DataFrame", self.files.read_table(self.import_id, name).to_pandas())

    def _replace(self, phase: Phase, write: Callable[[Path], None]) -> Path:
        target = self.path(phase)
        temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
        write(temporary)
        os.replace(temporary, target)
        return target


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copyfile(source, target)
