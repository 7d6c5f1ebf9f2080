import pytest

from imports_pipeline.destination import RollbackConflictError, rollback_import, write_destination
from imports_pipeline.errors import DomainError
from imports_pipeline_tests.destination.frames import (
    expected,
    full_rows,
    stored_rows,
    submitted,
    trip,
)

REFS = ["REF-00000001", "REF-00000002", "REF-00000003"]


def _write(engine, logistics, import_id, rows, action="merge", organization_id="org-a"):
    return write_destination(
        engine, logistics, organization_id, import_id, submitted(logistics, rows), action
    )


def test_rolling_back_the_last_import_restores_the_exact_previous_state(engine, logistics):
    _write(engine, logistics, "imp-1", [trip(ref) for ref in REFS])
    _write(engine, logistics, "imp-1", [trip(ref) for ref in REFS], organization_id="org-b")
    before = full_rows(engine, logistics)
    _write(
        engine,
        logistics,
        "imp-2",
        [trip("REF-00000002", cost_eur=99.0), trip("REF-00000004")],
        "overwrite",
    )
    outcome = rollback_import(engine, logistics, "org-a", "imp-2")
    assert (outcome.removed, outcome.restored) == (1, 3)
    assert full_rows(engine, logistics) == before


def test_rolling_back_a_delete_brings_the_rows_back(engine, logistics):
    _write(engine, logistics, "imp-1", [trip(ref) for ref in REFS])
    before = full_rows(engine, logistics)
    _write(engine, logistics, "imp-2", [trip("REF-00000001"), trip("REF-00000003")], "delete")
    assert set(stored_rows(engine, logistics)) == {("org-a", "REF-00000002")}
    outcome = rollback_import(engine, logistics, "org-a", "imp-2")
    assert (outcome.removed, outcome.restored) == (0, 2)
    assert full_rows(engine, logistics) == before


def test_rolling_back_the_first_import_empties_the_destination_and_a_second_rollback_does_nothing(
    engine, logistics
):
    _write(engine, logistics, "imp-1", [trip(ref) for ref in REFS])
    assert rollback_import(engine, logistics, "org-a", "imp-1").removed == 3
    assert stored_rows(engine, logistics) == {}
    again = rollback_import(engine, logistics, "org-a", "imp-1")
    assert (again.removed, again.restored) == (0, 0)


def test_rollback_is_refused_while_a_later_import_changed_the_same_rows(engine, logistics):
    _write(engine, logistics, "imp-1", [trip(ref) for ref in REFS])
    _write(engine, logistics, "imp-2", [trip("REF-00000001", client="Nuevo"), trip("REF-00000004")])
    _write(engine, logistics, "imp-3", [trip("REF-00000002")], "delete")
    _write(engine, logistics, "imp-4", [trip("REF-00000004", cost_eur=1.0)])
    after = full_rows(engine, logistics)
    with pytest.raises(RollbackConflictError) as refused:
        rollback_import(engine, logistics, "org-a", "imp-1")
    assert isinstance(refused.value, DomainError)
    assert (refused.value.code, refused.value.http_status) == ("ROLLBACK_CONFLICT", 409)
    assert refused.value.context["later_imports"] == ["imp-2", "imp-3"]
    assert "imp-2, imp-3" in refused.value.message
    assert full_rows(engine, logistics) == after


def test_newest_first_rollbacks_unwind_every_import(engine, logistics):
    _write(engine, logistics, "imp-1", [trip(ref) for ref in REFS])
    first = full_rows(engine, logistics)
    _write(engine, logistics, "imp-2", [trip("REF-00000001", client="Nuevo"), trip("REF-00000004")])
    _write(engine, logistics, "imp-3", [trip("REF-00000002")], "delete")
    rollback_import(engine, logistics, "org-a", "imp-3")
    rollback_import(engine, logistics, "org-a", "imp-2")
    assert full_rows(engine, logistics) == first
    rollback_import(engine, logistics, "org-a", "imp-1")
    assert stored_rows(engine, logistics) == {}


def test_a_rerun_of_an_older_import_that_took_rows_back_blocks_the_newer_ones_rollback(
    engine, logistics
):
    _write(engine, logistics, "imp-1", [trip("REF-00000001")])
    _write(engine, logistics, "imp-2", [trip("REF-00000001", client="Nuevo")])
    _write(engine, logistics, "imp-1", [trip("REF-00000001")])
    assert stored_rows(engine, logistics) == {
        ("org-a", "REF-00000001"): expected("imp-1", "REF-00000001")
    }
    with pytest.raises(RollbackConflictError) as refused:
        rollback_import(engine, logistics, "org-a", "imp-2")
    assert refused.value.context["later_imports"] == ["imp-1"]


def test_another_organizations_imports_never_block_a_rollback(engine, logistics):
    _write(engine, logistics, "imp-1", [trip(ref) for ref in REFS])
    _write(
        engine, logistics, "imp-2", [trip("REF-00000001", client="Otra")], organization_id="org-b"
    )
    assert rollback_import(engine, logistics, "org-a", "imp-1").removed == 3
    assert stored_rows(engine, logistics) == {
        ("org-b", "REF-00000001"): expected("imp-2", "REF-00000001", client="Otra")
    }


def test_rows_an_import_created_are_protected_from_its_rollback_once_a_later_import_changed_them(
    engine, logistics
):
    """Created rows have no history entry of their own: a later change is seen through the previous
    version's lineage."""
    _write(engine, logistics, "imp-1", [trip("REF-00000001")])
    _write(engine, logistics, "imp-2", [trip("REF-00000001", cost_eur=1.0)])
    with pytest.raises(RollbackConflictError) as refused:
        rollback_import(engine, logistics, "org-a", "imp-1")
    assert refused.value.context["later_imports"] == ["imp-2"]
    _write(engine, logistics, "imp-3", [trip("REF-00000001")], "delete")
    with pytest.raises(RollbackConflictError) as still:
        rollback_import(engine, logistics, "org-a", "imp-2")
    assert still.value.context["later_imports"] == ["imp-3"]
    assert rollback_import(engine, logistics, "org-a", "imp-3").restored == 1
    assert rollback_import(engine, logistics, "org-a", "imp-2").restored == 1
    assert stored_rows(engine, logistics) == {
        ("org-a", "REF-00000001"): expected("imp-1", "REF-00000001")
    }
    assert rollback_import(engine, logistics, "org-a", "imp-1").removed == 1
    assert stored_rows(engine, logistics) == {}
