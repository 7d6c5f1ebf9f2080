"""Dedupe: rows of one file that share a key, resolved by the import's ``duplicate_handling``.

Must run before the write: an upsert cannot apply two versions of one key in a
single statement, and which one wins is the client's choice, not the database's.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from imports_pipeline.vocabulary import DuplicateHandling


def dedupe(
    frame: pd.DataFrame,
    keys: pd.Series,
    policy: DuplicateHandling | str = DuplicateHandling.IGNORE_ALL,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows to write and the ``row_index`` of the rows dropped;
    ``keys`` is aligned with ``frame``.

    ``ignore_all`` is the contract's default: a key that occurs twice is ambiguous,
    so no copy is imported.
    """
    keep: Literal["first", False] = (
        False if DuplicateHandling(policy) is DuplicateHandling.IGNORE_ALL else "first"
    )
    duplicated = keys.duplicated(keep=keep).to_numpy()
    return frame[~duplicated], frame["row_index"].to_numpy()[duplicated]
