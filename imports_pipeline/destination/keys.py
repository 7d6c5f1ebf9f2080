"""The natural key of each submitted row: what the destination upserts on.

A row whose key columns are all filled is keyed by them ("REF-00000001"). A row
without them (the file does not map the key, or the template has none) is keyed
by a hash of all its values, so importing the same file twice finds the same
rows instead of duplicating them.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from imports_pipeline.destination.values import template_arrays
from imports_pipeline.templates.model import Template

SEPARATOR = "\x1f"
"""ASCII unit separator: joins values without ambiguity, since cells never hold it in practice."""


def canonical_text(values: pa.Array) -> pa.Array:
    """Stable text of each value, "" for missing:
    ISO dates, shortest round-trip floats ("2.5", "3")."""
    if pa.types.is_timestamp(values.type):
        text = pc.replace_substring_regex(
            pc.strftime(values, format="%Y-%m-%dT%H:%M:%S"), pattern=r"\.0+$", replacement=""
        )
    else:
        text = pc.cast(values, pa.string())
    return pc.fill_null(text, "")


def _joined(columns: list[pa.Array]) -> pa.Array:
    return pc.binary_join_element_wise(*[canonical_text(column) for column in columns], SEPARATOR)


def row_keys(frame: pd.DataFrame, template: Template) -> pd.Series:
    """One key per row of ``frame`` (same index),
    vectorised except for the sha256 of unkeyed rows."""
    arrays = template_arrays(frame, template)
    keys = np.empty(len(frame), dtype=object)
    if template.key_columns:
        key_arrays = [arrays[key] for key in template.key_columns]
        keyed = np.logical_and.reduce(
            [column.is_valid().to_numpy(zero_copy_only=False) for column in key_arrays]
        )
        keys[keyed] = _joined([column.filter(pa.array(keyed)) for column in key_arrays]).to_numpy(
            zero_copy_only=False
        )
    else:
        keyed = np.zeros(len(frame), dtype=bool)
    if not keyed.all():
        unkeyed = pa.array(~keyed)
        rows = _joined([column.filter(unkeyed) for column in arrays.values()]).to_pylist()
        keys[~keyed] = [hashlib.sha256(row.encode()).hexdigest() for row in rows]
    return pd.Series(keys, index=frame.index, name="row_key", dtype="str")
