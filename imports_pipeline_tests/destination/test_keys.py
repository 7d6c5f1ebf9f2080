import hashlib

import numpy as np
import pandas as pd

from imports_pipeline.destination import row_keys
from imports_pipeline.templates.model import Template
from imports_pipeline_tests.destination.frames import submitted, trip

SEP = "\x1f"


def test_rows_with_a_reference_are_keyed_by_it(logistics):
    frame = submitted(logistics, [trip("REF-00000001"), trip("REF-00000002")])
    keys = row_keys(frame, logistics)
    assert keys.tolist() == ["REF-00000001", "REF-00000002"]
    assert keys.dtype == "str"


def test_rows_without_the_key_are_keyed_by_a_sha256_of_their_canonical_values(logistics):
    frame = submitted(logistics, [trip(None), trip("REF-00000002"), trip(None, load_kg=None)])
    frame.index = pd.Index([10, 11, 12])
    canonical = [
        "2026-03-02",
        "Transportes Norte",
        "412.5",
        "ES",
        "FR",
        "articulated_truck",
        "18000",
        "diesel",
        "640",
        "",
    ]
    without_load = [*canonical[:6], "", *canonical[7:]]
    keys = row_keys(frame, logistics)
    assert keys.to_dict() == {
        10: hashlib.sha256(SEP.join(canonical).encode()).hexdigest(),
        11: "REF-00000002",
        12: hashlib.sha256(SEP.join(without_load).encode()).hexdigest(),
    }


def test_same_values_give_the_same_key_whatever_the_row_position(logistics):
    first = submitted(logistics, [trip(None), trip(None, client="Otro")])
    second = submitted(logistics, [trip(None, client="Otro"), trip(None)])
    assert row_keys(first, logistics).tolist() == row_keys(second, logistics).tolist()[::-1]


def test_a_template_column_missing_from_the_frame_counts_as_empty(logistics):
    full = submitted(logistics, [trip(None, cost_eur=None)])
    assert (
        row_keys(full.drop(columns="cost_eur"), logistics).tolist()
        == row_keys(full, logistics).tolist()
    )


def test_composite_keys_join_canonical_values_of_every_type():
    template = Template.model_validate(
        {
            "id": "readings",
            "name": "Readings",
            "key_columns": ["day", "at", "meter", "active", "value"],
            "columns": [
                {"key": "day", "label": "Day", "type": "date"},
                {"key": "at", "label": "At", "type": "datetime"},
                {"key": "meter", "label": "Meter", "type": "integer"},
                {"key": "active", "label": "Active", "type": "boolean"},
                {"key": "value", "label": "Value", "type": "number"},
            ],
        }
    )
    frame = pd.DataFrame(
        {
            "row_index": np.arange(3, dtype="int64"),
            "day": pd.Series(["2026-03-01", "2026-03-01", "2026-03-01"], dtype="datetime64[ms]"),
            "at": pd.Series(
                ["2026-03-01 10:00:00", "2026-03-01 10:00:00.250", "2026-03-01 23:59:59"],
                dtype="datetime64[ms]",
            ),
            "meter": pd.array([7, 8, None], dtype="Int64"),
            "active": pd.array([True, False, True], dtype="boolean"),
            "value": pd.array([1.0, 0.1 + 0.2, 2.5], dtype="Float64"),
        }
    )
    keys = row_keys(frame, template).tolist()
    assert keys[:2] == [
        SEP.join(["2026-03-01", "2026-03-01T10:00:00", "7", "true", "1"]),
        SEP.join(["2026-03-01", "2026-03-01T10:00:00.250", "8", "false", "0.30000000000000004"]),
    ]
    assert (
        keys[2]
        == hashlib.sha256(
            SEP.join(["2026-03-01", "2026-03-01T23:59:59", "", "true", "2.5"]).encode()
        ).hexdigest()
    )
