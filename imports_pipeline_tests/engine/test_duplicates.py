"""What each duplicate handling leaves out, computed from typed rows and their errors."""

from __future__ import annotations

import pandas as pd

from imports_pipeline.engine.duplicates import left_out_by_duplicate_handling
from imports_pipeline.vocabulary import DuplicateHandling


def errors(*rows: tuple[int, str]) -> pd.DataFrame:
    return pd.DataFrame({"row_index": [r for r, _ in rows], "code": [c for _, c in rows]})


def test_a_two_column_key_flagged_by_validation_and_identical_unkeyed_rows():
    typed = pd.DataFrame(
        {
            "order": ["A", "A", "B", None, None, None, "C"],
            "line": [1, 1, 1, 9, 9, 8, 1],
            "amount": [1.0, 2.0, 3.0, 4.0, 4.0, 4.0, 5.0],
        }
    )
    found = errors((1, "duplicate_key"), (6, "invalid_type"))
    result = left_out_by_duplicate_handling(typed, found, ["order", "line"])
    # ignore_all: row 0 (first copy of the flagged A/1) and rows 3-4 (the same values, no key)
    assert result[DuplicateHandling.IGNORE_ALL] == (3, 2)
    # use_first: only row 4 (the second of the identical unkeyed rows)
    assert result[DuplicateHandling.USE_FIRST] == (1, 1)


def test_no_duplicates_leave_nothing_out():
    typed = pd.DataFrame({"reference": ["R1", "R2"], "client": ["a", "b"]})
    result = left_out_by_duplicate_handling(typed, errors(), ["reference"])
    assert result == {DuplicateHandling.IGNORE_ALL: (0, 0), DuplicateHandling.USE_FIRST: (0, 0)}


def test_a_template_without_key_columns_keys_every_row_by_its_values():
    typed = pd.DataFrame({"client": ["a", "a", "b"], "amount": [1.0, 1.0, 1.0]})
    result = left_out_by_duplicate_handling(typed, errors(), [])
    assert result == {DuplicateHandling.IGNORE_ALL: (2, 1), DuplicateHandling.USE_FIRST: (1, 1)}
