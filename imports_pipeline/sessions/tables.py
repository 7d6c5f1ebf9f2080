"""One session's tables in the file store, and the lock that serialises their writers.

Names of the current files are in the session row's ``artifacts``:
- ``parsed``: the upload as a table of strings, written once at create;
- ``rows``: typed template columns from the last full validation;
- ``overlay``: typed rows re-computed after corrections (``row_index`` + columns);
- ``errors``: every current row error, sorted by row.
Each write makes a new name; the SQL pointer moves in one commit and only then
are the old files removed, so a crash leaves the previous state whole. The use
cases, processing and the expiry sweep all reach the tables through this class.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from filelock import FileLock

from imports_pipeline.store.files import FileStore
from imports_pipeline.store.tables import ImportSessionRow

LOCK_TIMEOUT_SECONDS = 120
PROFILE_ROWS = 200
"""Rows the mapping suggester and the locale inference look at."""


class SessionTables:
    def __init__(self, files: FileStore) -> None:
        self.files = files

    def lock(self, import_id: str) -> FileLock:
        """One writer per session across processes (API workers, Dagster runs, the sweep)."""
        return FileLock(
            str(self.files.session_dir(import_id) / ".lock"), timeout=LOCK_TIMEOUT_SECONDS
        )

    def write(
        self, import_id: str, stem: str, frame: pd.DataFrame, with_index: bool = False
    ) -> str:
        """A new file for ``stem`` (``rows``, ``overlay``, ``errors``); returns its name for
        ``artifacts``."""
        return self.files.write_table(import_id, stem, to_arrow(frame, with_index))

    def errors(
        self, row: ImportSessionRow, artifacts: Mapping[str, str] | None = None
    ) -> pd.DataFrame:
        """Every current row error (``row_index``, ``column``, ``code``, ``message``, ``value``)."""
        return self.files.read_frame(row.id, (artifacts or row.artifacts)["errors"])

    def sample_frame(self, row: ImportSessionRow) -> pd.DataFrame:
        """The first rows of the upload as strings, for profiling values."""
        indices = np.arange(min(PROFILE_ROWS, row.total_rows))
        return cast(
            "pd.DataFrame",
            self.files.read_rows(row.id, row.artifacts["parsed"], indices).to_pandas(),
        )

    def raw_frame(
        self,
        row: ImportSessionRow,
        mapping: Mapping[str, str],
        row_indices: np.ndarray | None = None,
    ) -> pd.DataFrame:
        """Raw strings of the mapped source columns, renamed to template keys, index = row_index."""
        sources = sorted(set(mapping.values()))
        if row_indices is None:
            table = self.files.read_table(row.id, row.artifacts["parsed"], columns=sources)
            index: pd.Index = pd.RangeIndex(table.num_rows)
        else:
            table = self.files.read_rows(
                row.id, row.artifacts["parsed"], row_indices, columns=sources
            )
            index = pd.Index(row_indices, dtype="int64")
        by_source = {name: table.column(name).to_pandas() for name in sources}
        frame = pd.DataFrame({key: by_source[source] for key, source in mapping.items()})
        frame.index = index
        return frame

    def overlay(
        self, row: ImportSessionRow, artifacts: Mapping[str, str] | None = None
    ) -> pd.DataFrame | None:
        """The corrected rows (index = row_index), or None before the first correction."""
        artifacts = artifacts or row.artifacts
        if "overlay" not in artifacts:
            return None
        return self.files.read_frame(row.id, artifacts["overlay"], index_column="row_index")

    def typed_rows(
        self,
        row: ImportSessionRow,
        selected: np.ndarray,
        artifacts: Mapping[str, str] | None = None,
    ) -> pd.DataFrame:
        """Typed rows with the corrections overlay applied, index = row_index."""
        artifacts = artifacts or row.artifacts
        overlay = self.overlay(row, artifacts)
        if overlay is not None and len(selected) and pd.Index(selected).isin(overlay.index).all():
            return overlay.loc[selected]
        typed = self.files.read_rows(row.id, artifacts["rows"], selected).to_pandas()
        typed.index = pd.Index(selected, dtype="int64")
        return typed if overlay is None else with_overlay(typed, overlay)

    def full_pass_rows(
        self, row: ImportSessionRow, artifacts: Mapping[str, str], selected: np.ndarray
    ) -> pd.DataFrame:
        """Rows ``selected`` of the last full validation's typed file (corrections not applied),
        index = row_index."""
        typed = cast(
            "pd.DataFrame", self.files.read_rows(row.id, artifacts["rows"], selected).to_pandas()
        )
        typed.index = pd.Index(selected, dtype="int64")
        return typed

    def submitted_table(self, row: ImportSessionRow, keep: np.ndarray) -> pa.Table:
        """Rows ``keep`` (ascending) of the typed file with the corrections applied, as Arrow with
        ``row_index`` first: what submit writes. Arrow throughout, since pandas indexing and
        concatenation of the same rows were two thirds of a 240-row submit."""
        table = self.files.read_table(row.id, row.artifacts["rows"])
        if len(keep) != table.num_rows:
            table = table.take(pa.array(keep))
        metadata = table.schema.metadata
        table = table.add_column(0, "row_index", pa.array(keep, type=pa.int64()))
        if "overlay" not in row.artifacts:
            return table
        overlay = self.files.read_table(row.id, row.artifacts["overlay"])
        overlay = overlay.filter(pc.is_in(overlay["row_index"], value_set=table["row_index"]))
        if not overlay.num_rows:
            return table
        corrected = overlay.select(table.column_names).cast(table.schema)
        untouched = table.filter(pc.invert(pc.is_in(table["row_index"], overlay["row_index"])))
        merged = pa.concat_tables([untouched, corrected]).sort_by("row_index")
        return merged.replace_schema_metadata(metadata)

    def key_columns(
        self, row: ImportSessionRow, artifacts: Mapping[str, str], columns: list[str]
    ) -> pd.DataFrame:
        """``columns`` of the last full validation's typed rows (corrections not applied)."""
        return self.files.read_frame(row.id, artifacts["rows"], columns=columns)

    def remove_replaced(
        self, import_id: str, before: Mapping[str, str], after: Mapping[str, str]
    ) -> None:
        """Old files are deleted only after the SQL pointer has moved to the new ones."""
        for key, name in before.items():
            if after.get(key) != name:
                self.files.remove(import_id, name)


def with_overlay(typed: pd.DataFrame, overlay: pd.DataFrame) -> pd.DataFrame:
    """``typed`` (index = row_index) with its corrected rows taken from ``overlay``, rows in
    ``typed``'s order. Built by concatenation: ``typed.loc[hit, columns] = …`` took 3 ms on
    240 rows with Arrow columns, half a submit's own work."""
    hit = typed.index.isin(overlay.index)
    if not hit.any():
        return typed
    parts = [typed[~hit], overlay.loc[typed.index[hit], typed.columns]]
    order = np.argsort(np.concatenate([np.flatnonzero(~hit), np.flatnonzero(hit)]), kind="stable")
    return pd.concat(parts).take(order)


def to_arrow(frame: pd.DataFrame, with_index: bool = False) -> pa.Table:
    """A frame as Arrow; ``with_index`` keeps the index as the ``row_index`` column."""
    if with_index:
        frame = frame.reset_index(names="row_index")
        frame["row_index"] = frame["row_index"].astype("int64")
    return pa.Table.from_pandas(frame, preserve_index=False)
