import pandas as pd

from imports_pipeline.destination import dedupe, row_keys
from imports_pipeline.vocabulary import DuplicateHandling
from imports_pipeline_tests.destination.frames import submitted, trip


def _file(logistics):
    rows = [
        trip("REF-00000001"),
        trip("REF-00000002"),
        trip("REF-00000001", client="Copia"),
        trip("REF-00000003"),
        trip(None),
        trip(None),
    ]
    frame = submitted(logistics, rows)
    frame["row_index"] = frame["row_index"] + 100
    return frame, row_keys(frame, logistics)


def test_ignore_all_drops_every_copy_of_a_repeated_key(logistics):
    frame, keys = _file(logistics)
    kept, dropped = dedupe(frame, keys)
    assert kept["row_index"].tolist() == [101, 103]
    assert dropped.tolist() == [100, 102, 104, 105]


def test_use_first_keeps_the_first_copy(logistics):
    frame, keys = _file(logistics)
    kept, dropped = dedupe(frame, keys, "use_first")
    assert kept["row_index"].tolist() == [100, 101, 103, 104]
    assert kept["client"].tolist() == [
        "Transportes Norte",
        "Frutas Levante",
        "Lusitania Cargo",
        "Transportes Norte",
    ]
    assert dropped.tolist() == [102, 105]


def test_a_file_without_repeats_is_kept_whole(logistics):
    frame = submitted(logistics, [trip("REF-00000001"), trip("REF-00000002")])
    kept, dropped = dedupe(frame, row_keys(frame, logistics), DuplicateHandling.USE_FIRST)
    pd.testing.assert_frame_equal(kept, frame)
    assert dropped.tolist() == []
