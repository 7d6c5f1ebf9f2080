"""What a phase reports: its counts, its detail, and the rows it left out with the reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from imports_pipeline.vocabulary import Phase

REJECTED_COLUMNS = ["row_index", "phase", "column", "code", "message", "value"]


@dataclass(frozen=True)
class PhaseStep:
    """What a phase function returns; the runner adds timing and records it."""

    rows_in: int
    rows_out: int
    detail: dict[str, Any]
    rejected: pd.DataFrame


@dataclass(frozen=True)
class PhaseOutcome:
    """What one phase did, for the phase row, the asset's metadata and the tests."""

    phase: Phase
    rows_in: int
    rows_out: int
    rows_rejected: int
    detail: dict[str, Any]
    rejected: pd.DataFrame = field(repr=False)
    """One row per reason a row was left out: ``REJECTED_COLUMNS``."""
    seconds: float = 0.0

    @property
    def rejected_by_column(self) -> dict[str, int]:
        """Rows left out per template column (a row counts once per column)."""
        if self.rejected.empty:
            return {}
        counts = self.rejected.groupby("column")["row_index"].nunique()
        return {str(column): int(count) for column, count in counts.items()}


def rejections(
    row_index: Any, phase: Phase, column: Any, code: Any, message: Any, value: Any = None
) -> pd.DataFrame:
    """A rejected-rows table; scalars are repeated for every row."""
    index = np.asarray(row_index, dtype=np.int64)
    frame = pd.DataFrame({"row_index": index})
    columns = (
        ("phase", phase.value),
        ("column", column),
        ("code", code),
        ("message", message),
        ("value", value),
    )
    for name, data in columns:
        frame[name] = (
            data
            if not isinstance(data, (pd.Series, np.ndarray, list))
            else np.asarray(data, dtype=object)
        )
    kinds = {"phase": "str", "column": "str", "code": "str", "message": "str", "value": "object"}
    return frame[REJECTED_COLUMNS].astype(kinds)


def no_rejections(phase: Phase) -> pd.DataFrame:
    return rejections([], phase, "", "", "")
