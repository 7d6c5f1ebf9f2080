import pandas as pd
import pytest
import sqlalchemy as sa

from imports_pipeline.destination import dedupe, destination_tables, row_keys, write_destination
from imports_pipeline_tests.destination.frames import (
    expected,
    full_rows,
    stored_rows,
    submitted,
    trip,
)

REFS = ["REF-00000001", "REF-00000002", "REF-00000003"]


def _history(engine, template) -> list[tuple[str, str, str, str | None]]:
    """(import, action, key, previous import) of every history row, by import then key (test ids
    sort by time)."""
    history = destination_tables(template).history
    with engine.connect() as connection:
        query = sa.select(
            history.c.history_import_id,
            history.c.history_action,
            history.c.row_key,
            history.c.import_id,
        )
        return [
            tuple(row)
            for row in connection.execute(
                query.order_by(history.c.history_import_id, history.c.row_key)
            )
        ]


def _per_row(outcome) -> list[tuple]:
    return [
        (None if pd.isna(i) else int(i), key, result)
        for i, key, result in outcome.per_row.itertuples(index=False)
    ]


def _merge_three(engine, logistics, organization_id="org-a", import_id="imp-1"):
    frame = submitted(logistics, [trip(ref) for ref in REFS])
    return write_destination(engine, logistics, organization_id, import_id, frame, "merge")


def test_merge_into_an_empty_destination_creates_every_row(engine, logistics):
    outcome = _merge_three(engine, logistics)
    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.deleted) == (3, 0, 0, 0)
    assert outcome.staged_with == ("copy" if engine.dialect.name == "postgresql" else "executemany")
    assert _per_row(outcome) == [
        (0, REFS[0], "created"),
        (1, REFS[1], "created"),
        (2, REFS[2], "created"),
    ]
    assert stored_rows(engine, logistics) == {
        ("org-a", ref): expected("imp-1", ref) for ref in REFS
    }
    assert (
        _history(engine, logistics) == []
    )  # a created row has no previous version: its lineage says who created it


def test_merging_the_same_rows_again_changes_nothing(engine, logistics):
    _merge_three(engine, logistics)
    before, history = full_rows(engine, logistics), _history(engine, logistics)
    outcome = _merge_three(engine, logistics, import_id="imp-2")
    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.deleted) == (0, 0, 3, 0)
    assert full_rows(engine, logistics) == before
    assert _history(engine, logistics) == history


def test_merge_updates_changed_rows_creates_new_ones_and_leaves_the_rest(engine, logistics):
    _merge_three(engine, logistics)
    frame = submitted(
        logistics,
        [
            trip("REF-00000001"),
            trip("REF-00000002", distance_km=88.5, fuel_type="diesel"),
            trip("REF-00000004"),
            trip("REF-00000003", load_kg=None),
        ],
    )
    outcome = write_destination(engine, logistics, "org-a", "imp-2", frame, "merge")
    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.deleted) == (1, 2, 1, 0)
    assert _per_row(outcome) == [
        (0, "REF-00000001", "unchanged"),
        (1, "REF-00000002", "updated"),
        (2, "REF-00000004", "created"),
        (3, "REF-00000003", "updated"),
    ]
    assert stored_rows(engine, logistics) == {
        ("org-a", "REF-00000001"): expected("imp-1", "REF-00000001"),
        ("org-a", "REF-00000002"): expected(
            "imp-2", "REF-00000002", distance_km=88.5, fuel_type="diesel"
        ),
        ("org-a", "REF-00000003"): expected("imp-2", "REF-00000003", load_kg=None),
        ("org-a", "REF-00000004"): expected("imp-2", "REF-00000004"),
    }
    assert stored_rows(engine, logistics)[("org-a", "REF-00000004")]["distance_km"] == 0.1 + 0.2
    assert _history(engine, logistics) == [
        ("imp-2", "updated", "REF-00000002", "imp-1"),
        ("imp-2", "updated", "REF-00000003", "imp-1"),
    ]


def test_an_organizations_first_import_is_scoped_to_it_even_when_others_hold_the_same_keys(
    engine, logistics
):
    """The first import of an organization takes the plain-INSERT path; the next one the classifying
    join."""
    _merge_three(engine, logistics)
    outcome = _merge_three(engine, logistics, organization_id="org-b", import_id="imp-b1")
    assert (outcome.created, outcome.updated, outcome.unchanged) == (3, 0, 0)
    changed = submitted(logistics, [trip(REFS[0]), trip(REFS[1], client="Other"), trip(REFS[2])])
    again = write_destination(engine, logistics, "org-b", "imp-b2", changed, "merge")
    assert _per_row(again) == [
        (0, REFS[0], "unchanged"),
        (1, REFS[1], "updated"),
        (2, REFS[2], "unchanged"),
    ]
    assert stored_rows(engine, logistics) == {
        **{("org-a", ref): expected("imp-1", ref) for ref in REFS},
        ("org-b", REFS[0]): expected("imp-b1", REFS[0]),
        ("org-b", REFS[1]): expected("imp-b2", REFS[1], client="Other"),
        ("org-b", REFS[2]): expected("imp-b1", REFS[2]),
    }
    assert _history(engine, logistics) == [("imp-b2", "updated", REFS[1], "imp-b1")]


def test_overwrite_deletes_the_organizations_rows_missing_from_the_file_only(engine, logistics):
    _merge_three(engine, logistics)
    _merge_three(engine, logistics, organization_id="org-b")
    frame = submitted(logistics, [trip("REF-00000002", cost_eur=99.0), trip("REF-00000004")])
    outcome = write_destination(engine, logistics, "org-a", "imp-2", frame, "overwrite")
    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.deleted) == (1, 1, 0, 2)
    assert _per_row(outcome) == [
        (0, "REF-00000002", "updated"),
        (1, "REF-00000004", "created"),
        (None, "REF-00000001", "deleted"),
        (None, "REF-00000003", "deleted"),
    ]
    assert stored_rows(engine, logistics) == {
        ("org-a", "REF-00000002"): expected("imp-2", "REF-00000002", cost_eur=99.0),
        ("org-a", "REF-00000004"): expected("imp-2", "REF-00000004"),
        **{("org-b", ref): expected("imp-1", ref) for ref in REFS},
    }


def test_delete_removes_the_rows_whose_key_is_in_the_file(engine, logistics):
    _merge_three(engine, logistics)
    _merge_three(engine, logistics, organization_id="org-b")
    frame = submitted(logistics, [trip("REF-00000001"), trip("REF-00000003"), trip("REF-00000004")])
    outcome = write_destination(engine, logistics, "org-a", "imp-2", frame, "delete")
    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.deleted) == (0, 0, 1, 2)
    assert _per_row(outcome) == [
        (0, "REF-00000001", "deleted"),
        (1, "REF-00000003", "deleted"),
        (2, "REF-00000004", "unchanged"),
    ]
    assert stored_rows(engine, logistics) == {
        ("org-a", "REF-00000002"): expected("imp-1", "REF-00000002"),
        **{("org-b", ref): expected("imp-1", ref) for ref in REFS},
    }
    assert _history(engine, logistics)[-2:] == [
        ("imp-2", "deleted", "REF-00000001", "imp-1"),
        ("imp-2", "deleted", "REF-00000003", "imp-1"),
    ]


@pytest.mark.parametrize(
    ("policy", "references"),
    [("ignore_all", ["REF-00000002"]), ("use_first", ["REF-00000001", "REF-00000002"])],
)
def test_duplicate_handling_decides_which_copies_reach_the_destination(
    engine, logistics, policy, references
):
    frame = submitted(
        logistics,
        [trip("REF-00000001"), trip("REF-00000002"), trip("REF-00000001", client="Copia")],
    )
    kept, _dropped = dedupe(frame, row_keys(frame, logistics), policy)
    outcome = write_destination(engine, logistics, "org-a", "imp-1", kept, "merge")
    assert outcome.created == len(references)
    assert stored_rows(engine, logistics) == {
        ("org-a", ref): expected("imp-1", ref) for ref in references
    }


def test_writing_a_frame_with_repeated_keys_is_refused_before_touching_the_destination(
    engine, logistics
):
    frame = submitted(logistics, [trip("REF-00000001"), trip("REF-00000001", client="Copia")])
    with pytest.raises(ValueError, match="1 rows repeat a key"):
        write_destination(engine, logistics, "org-a", "imp-1", frame, "merge")


def test_the_same_file_without_key_imported_twice_is_not_duplicated(engine, logistics):
    frame = submitted(
        logistics, [trip(None), trip(None, client="Frutas Levante", distance_km=87.0)]
    )
    first = write_destination(engine, logistics, "org-a", "imp-1", frame, "merge")
    second = write_destination(engine, logistics, "org-a", "imp-2", frame, "merge")
    assert (first.created, second.created, second.unchanged) == (2, 0, 2)
    keys = row_keys(frame, logistics).tolist()
    assert stored_rows(engine, logistics) == {
        ("org-a", keys[0]): expected("imp-1", None),
        ("org-a", keys[1]): expected("imp-1", None, client="Frutas Levante", distance_km=87.0),
    }


@pytest.mark.parametrize("action", ["merge", "overwrite", "delete"])
def test_rerunning_an_import_leaves_the_destination_and_its_history_exactly_as_the_first_run(
    engine, logistics, action
):
    _merge_three(engine, logistics)
    frame = submitted(logistics, [trip("REF-00000002", cost_eur=10.0), trip("REF-00000004")])
    first = write_destination(engine, logistics, "org-a", "imp-2", frame, action)
    after_first, history = full_rows(engine, logistics), _history(engine, logistics)
    rerun = write_destination(engine, logistics, "org-a", "imp-2", frame, action)
    assert (rerun.created, rerun.updated, rerun.unchanged, rerun.deleted) == (0, 0, 2, 0)
    assert first.created + first.updated + first.deleted > 0
    assert full_rows(engine, logistics) == after_first
    assert _history(engine, logistics) == history


def test_a_rerun_after_a_later_import_keeps_the_first_recorded_version(engine, logistics):
    """The one case where an import meets its own history: it is re-run after a later import changed
    its rows."""
    _merge_three(engine, logistics)
    mine = submitted(logistics, [trip(REFS[0], cost_eur=10.0)])
    write_destination(engine, logistics, "org-a", "imp-2", mine, "merge")
    write_destination(
        engine,
        logistics,
        "org-a",
        "imp-3",
        submitted(logistics, [trip(REFS[0], cost_eur=20.0)]),
        "merge",
    )
    rerun = write_destination(engine, logistics, "org-a", "imp-2", mine, "merge")
    assert (rerun.updated, stored_rows(engine, logistics)[("org-a", REFS[0])]["cost_eur"]) == (
        1,
        10.0,
    )
    assert _history(engine, logistics) == [
        ("imp-2", "updated", REFS[0], "imp-1"),  # not replaced by the version imp-3 left
        ("imp-3", "updated", REFS[0], "imp-2"),
    ]


def test_an_empty_file_merges_nothing(engine, logistics):
    outcome = write_destination(
        engine, logistics, "org-a", "imp-1", submitted(logistics, []), "merge"
    )
    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.deleted) == (0, 0, 0, 0)
    assert outcome.per_row.columns.tolist() == ["row_index", "row_key", "outcome"]
    assert stored_rows(engine, logistics) == {}


def test_a_write_that_fails_midway_leaves_nothing_behind_and_can_be_rerun(
    engine, logistics, monkeypatch
):
    _merge_three(engine, logistics)
    before, history = full_rows(engine, logistics), _history(engine, logistics)
    frame = submitted(logistics, [trip("REF-00000002", cost_eur=10.0), trip("REF-00000004")])

    def crash(*_args, **_kwargs):
        raise RuntimeError("worker lost")

    with monkeypatch.context() as patched:
        patched.setattr("imports_pipeline.destination.writer._Statements.delete", crash)
        with pytest.raises(RuntimeError, match="worker lost"):
            write_destination(engine, logistics, "org-a", "imp-2", frame, "overwrite")
    assert full_rows(engine, logistics) == before
    assert _history(engine, logistics) == history
    outcome = write_destination(engine, logistics, "org-a", "imp-2", frame, "overwrite")
    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.deleted) == (1, 1, 0, 2)


def test_keys_with_commas_quotes_and_newlines_keep_their_outcomes(engine, logistics):
    """Outcomes leave PostgreSQL as CSV (COPY TO STDOUT): awkward keys must come back intact."""
    refs = ["A,1", 'say "hi"', "two\nlines", "tab\there"]
    rows = [{**trip(REFS[0]), "reference": r} for r in refs]
    first = write_destination(
        engine, logistics, "org-a", "imp-1", submitted(logistics, rows), "merge"
    )
    assert _per_row(first) == [(i, ref, "created") for i, ref in enumerate(refs)]
    changed = [{**rows[0], "client": "Other"}, *rows[1:]]
    second = write_destination(
        engine, logistics, "org-a", "imp-2", submitted(logistics, changed), "merge"
    )
    assert _per_row(second) == [
        (0, refs[0], "updated"),
        *[(i, ref, "unchanged") for i, ref in enumerate(refs) if i],
    ]
