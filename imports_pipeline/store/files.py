"""The file store: uploads, session tables (Parquet) and generated files, one folder per session.

Every write goes to a temporary name and is renamed into place, and tables get
a fresh name per write, so a crash never leaves a half-written file where a
reader (or the SQL pointer to it) expects a whole one.
"""

from __future__ import annotations

import hashlib
import os
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP_SIZE = 16_384
"""Small enough that one page of rows reads one or two row groups, large enough to compress well."""


@dataclass(frozen=True)
class SavedFile:
    relative_path: str
    size_bytes: int
    sha256: str


FRAME_CACHE_ENTRIES = 32


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._frames: OrderedDict[tuple[object, ...], pd.DataFrame] = OrderedDict()
        self._frames_lock = threading.Lock()

    def session_dir(self, session_id: str) -> Path:
        path = self.root / "sessions" / session_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    def path_of(self, relative_path: str) -> Path:
        return self.root / relative_path

    def save_stream(
        self, session_id: str, name: str, stream: BinaryIO, chunk_size: int = 1 << 20
    ) -> SavedFile:
        """Copy a stream into the session folder, hashing it on the way."""
        target = self.session_dir(session_id) / name
        digest = hashlib.sha256()
        size = 0
        temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
        with open(temporary, "wb") as out:
            while chunk := stream.read(chunk_size):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        os.replace(temporary, target)
        return SavedFile(str(target.relative_to(self.root)), size, digest.hexdigest())

    def save_bytes(self, session_id: str, name: str, data: bytes) -> SavedFile:
        import io

        return self.save_stream(session_id, name, io.BytesIO(data))

    def write_table(self, session_id: str, stem: str, table: pa.Table) -> str:
        """Write a table under a new unique name and return that name
        (relative to the session folder)."""
        name = f"{stem}.{uuid.uuid4().hex[:12]}.parquet"
        target = self.session_dir(session_id) / name
        temporary = target.with_name(f".{name}.tmp")
        # Plain (not dictionary) encoding: on a million rows it writes ~1.7x and reads ~5x faster
        # here, for a few percent more bytes: these files live a day, speed matters more.
        pq.write_table(
            table, temporary, row_group_size=ROW_GROUP_SIZE, compression="lz4", use_dictionary=False
        )
        os.replace(temporary, target)
        return name

    def read_table(self, session_id: str, name: str, columns: list[str] | None = None) -> pa.Table:
        """One file, read by ``ParquetFile``: ``pq.read_table`` goes through the dataset layer,
        which on a session's small files took twice as long (0.7 ms against 0.33)."""
        path = self.session_dir(session_id) / name
        return pq.ParquetFile(path, memory_map=True).read(columns=columns)

    def read_frame(
        self,
        session_id: str,
        name: str,
        columns: list[str] | None = None,
        index_column: str | None = None,
    ) -> pd.DataFrame:
        """A whole table as a DataFrame, kept in a small in-process cache.

        Safe to cache without invalidation: every write makes a new name, so a
        name always means the same bytes. Callers get a copy-on-write view, so
        changing it never changes the cached frame.
        """
        key = (session_id, name, tuple(columns) if columns else None, index_column)
        with self._frames_lock:
            if key in self._frames:
                self._frames.move_to_end(key)
                return self._frames[key].copy(deep=False)
        frame = self.read_table(session_id, name, columns).to_pandas()
        if index_column:
            frame = frame.set_index(index_column)
        with self._frames_lock:
            self._frames[key] = frame
            while len(self._frames) > FRAME_CACHE_ENTRIES:
                self._frames.popitem(last=False)
        return cast("pd.DataFrame", frame.copy(deep=False))

    def read_rows(
        self, session_id: str, name: str, row_indices: np.ndarray, columns: list[str] | None = None
    ) -> pa.Table:
        """Read only the row groups holding ``row_indices``
        and return those rows in the given order."""
        parquet = pq.ParquetFile(self.session_dir(session_id) / name, memory_map=True)
        indices = np.asarray(row_indices, dtype=np.int64)
        if len(indices) == 0:
            return (
                parquet.schema_arrow.empty_table().select(columns)
                if columns
                else parquet.schema_arrow.empty_table()
            )
        starts = np.cumsum(
            [0] + [parquet.metadata.row_group(i).num_rows for i in range(parquet.num_row_groups)]
        )
        groups = sorted(set(np.searchsorted(starts, indices, side="right") - 1))
        table = parquet.read_row_groups(groups, columns=columns)
        offsets = np.concatenate([[0], np.cumsum([starts[g + 1] - starts[g] for g in groups])])
        local = np.empty_like(indices)
        for position, group in enumerate(groups):
            in_group = (indices >= starts[group]) & (indices < starts[group + 1])
            local[in_group] = indices[in_group] - starts[group] + offsets[position]
        return table.take(pa.array(local))

    def remove(self, session_id: str, name: str) -> None:
        (self.session_dir(session_id) / name).unlink(missing_ok=True)

    def remove_matching(self, session_id: str, patterns: Iterable[str]) -> int:
        """Delete the session's files matching any glob in ``patterns``; how many were removed."""
        folder = self.root / "sessions" / session_id
        removed = 0
        for pattern in patterns:
            for path in folder.glob(pattern):
                if path.is_file():
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed
