"""A run killed in the middle of ``process``, re-run, leaves the destination exact.

The ``process`` phase runs in a child process against the real PostgreSQL
destination. To kill it at a known point inside its transaction, the test holds
a lock on one row the child must write (an uncommitted insert of the same key,
which a first write's INSERT waits on, or ``SELECT … FOR UPDATE`` of an existing
row, which the UPDATE of changed rows waits on): the child stages every row with
``COPY``, records history, starts writing the rows and waits. The test sees
it waiting in ``pg_stat_activity`` / ``pg_locks``, SIGKILLs it, releases the
lock, and waits for PostgreSQL to notice the dead client and abort its
transaction. Then ``process`` and ``cleanup`` run again in this process.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from imports_pipeline.destination import destination_tables
from imports_pipeline.destination.tables import ensure_destination_table
from imports_pipeline.processing import ImportProcessing
from imports_pipeline.store.database import create_database_engine
from imports_pipeline_tests.end_to_end.processes import REPO_ROOT, wait_for
from imports_pipeline_tests.service import build_service
from imports_pipeline_tests.submitted import ACTOR, destination_rows, submit_rows

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

BEFORE_PROCESS = ("parse", "map", "prevalidate", "dedupe", "transform", "validate")
COUNTRIES = ["ES", "FR", "DE", "IT", "PT"]

CHILD = """
import sys
from pathlib import Path

from imports_pipeline.processing import ImportProcessing
from imports_pipeline.store.database import create_database_engine
from imports_pipeline_tests.service import build_service

database_url, root, destination_url, import_id = sys.argv[1:]
service = build_service(database_url, Path(root))
print("process starting", flush=True)
ImportProcessing(service, create_database_engine(destination_url), import_id).process()
print("process finished: the test should have killed it", flush=True)
"""


def line(i: int, shift: int = 0) -> str:
    """Row ``i`` of a file; ``shift`` km more when the row changed since."""
    return (
        f"R{i:05d};2026-03-{1 + i % 28:02d};Client {i % 13};{i + shift},{i % 10};"
        f"{COUNTRIES[i % 5]};{COUNTRIES[(i + 1) % 5]}"
    )


def row(i: int, import_id: str, shift: int = 0) -> tuple:
    """Row ``i`` as ``destination_rows`` returns it."""
    return (
        f"R{i:05d}",
        date(2026, 3, 1 + i % 28),
        f"Client {i % 13}",
        float(f"{i + shift}.{i % 10}"),
        COUNTRIES[i % 5],
        COUNTRIES[(i + 1) % 5],
        import_id,
    )


@pytest.fixture
def database_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'imports.db'}"


@pytest.fixture
def service(database_url, tmp_path):
    service = build_service(database_url, tmp_path)
    yield service
    service.repository.engine.dispose()


@pytest.fixture
def destination(postgres_url):
    engine = create_database_engine(postgres_url)
    yield engine
    engine.dispose()


def run_phases(service, destination, import_id: str, phases: tuple[str, ...]) -> dict:
    processing = ImportProcessing(service, destination, import_id)
    return {phase: getattr(processing, phase)() for phase in phases}


def history(destination, service, import_id: str) -> list[tuple]:
    """The history rows ``import_id`` recorded: (row_key, action, previous distance, previous
    import)."""
    table = destination_tables(service.catalog.get("logistics_requests")).history
    if not sa.inspect(destination).has_table(table.name):
        return []
    with destination.connect() as connection:
        query = (
            sa.select(
                table.c.row_key, table.c.history_action, table.c.distance_km, table.c.import_id
            )
            .where(table.c.history_import_id == import_id)
            .order_by(table.c.row_key)
        )
        return [tuple(r) for r in connection.execute(query)]


@contextmanager
def holding(destination, statement: str, **params) -> Iterator[int]:
    """An open transaction that ran ``statement`` (and so holds its row lock); yields its backend
    pid, rolls back."""
    with destination.connect() as connection:
        transaction = connection.begin()
        try:
            connection.execute(sa.text(statement), params)
            yield connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        finally:
            transaction.rollback()


def backend_alive(destination, pid: int) -> bool:
    with destination.connect() as connection:
        return bool(
            connection.execute(
                sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            ).scalar()
        )


def kill_process_inside_its_transaction(
    service,
    destination,
    database_url: str,
    root: Path,
    import_id: str,
    blocker: str,
    expected_meanwhile: list[tuple],
    **params,
) -> None:
    """Run ``process`` in a child, SIGKILL it while its write waits on ``blocker``'s row lock, wait
    for the abort.

    While the child waits, and after its transaction is gone, the destination must show
    ``expected_meanwhile`` (what it held before) and no history of ``import_id``.
    """
    with holding(destination, blocker, **params) as blocker_pid:
        child = subprocess.Popen(
            [
                sys.executable,
                "-c",
                CHILD,
                database_url,
                str(root),
                destination.url.render_as_string(hide_password=False),
                import_id,
            ],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:

            def child_alive() -> None:
                if child.poll() is not None:
                    raise AssertionError(
                        f"the child exited ({child.returncode}) before it was killed:\n"
                        f"{child.stdout.read()}"
                    )

            def waiting_child() -> tuple | None:
                with destination.connect() as connection:
                    return connection.execute(
                        sa.text(
                            "SELECT pid, query, backend_xid IS NOT NULL FROM pg_stat_activity"
                            " WHERE :blocker = ANY(pg_blocking_pids(pid))"
                        ),
                        {"blocker": blocker_pid},
                    ).first()

            pid, query, has_written = wait_for(
                "the child's write to wait on the held row", waiting_child, 60, 0.05, child_alive
            )
            # Inside the transaction, past COPY (and the history of updated rows): the write of the
            # rows is running, the INSERT of a first write or the UPDATE of changed rows.
            assert query.startswith(
                (
                    "INSERT INTO imports_logistics_requests (organization_id, row_key,",
                    "UPDATE imports_logistics_requests SET ",
                )
            ), query
            assert has_written
            with destination.connect() as connection:
                locks = set(
                    connection.execute(
                        sa.text(
                            "SELECT locktype, coalesce(c.relname, ''), mode, granted"
                            " FROM pg_locks l"
                            " LEFT JOIN pg_class c ON c.oid = l.relation WHERE l.pid = :pid"
                        ),
                        {"pid": pid},
                    ).all()
                )
            assert (
                "advisory",
                "",
                "ExclusiveLock",
                True,
            ) in locks  # the writer lock of (table, organization)
            assert ("relation", "imports_logistics_requests", "RowExclusiveLock", True) in locks

            child.send_signal(signal.SIGKILL)
            assert child.wait(timeout=30) == -signal.SIGKILL
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            child.stdout.close()

        # Killed, lock still held: nothing of the import is visible.
        assert destination_rows(destination, service) == expected_meanwhile
        assert history(destination, service, import_id) == []

    # Released: the orphaned backend finishes its statement, finds its client gone and rolls back.
    wait_for(
        "PostgreSQL to end the killed run's connection",
        lambda: not backend_alive(destination, pid),
        60,
    )
    assert destination_rows(destination, service) == expected_meanwhile
    assert history(destination, service, import_id) == []

    status = service.status(ACTOR, import_id)
    process = next(p for p in status.phases if p.phase == "process")
    assert (status.processing_status, process.status, process.finished_at) == (
        "processing",
        "running",
        None,
    )


def test_a_run_killed_inside_the_first_write_commits_nothing_and_the_rerun_is_exact(
    service, destination, database_url, tmp_path
):
    rows = 3000
    lines = [line(i) for i in range(rows)]
    lines.append("R99990;2026-03-01;ACME;-5;ES;FR")  # out_of_range: left out at submit
    lines.append(
        "R00005;2026-03-09;Other;1;ES;FR"
    )  # repeats R00005: ignore_all leaves both copies out
    import_id = submit_rows(service, lines)
    run_phases(service, destination, import_id, BEFORE_PROCESS)

    template = service.catalog.get("logistics_requests")
    ensure_destination_table(destination, template)
    kill_process_inside_its_transaction(
        service,
        destination,
        database_url,
        tmp_path,
        import_id,
        "INSERT INTO imports_logistics_requests (organization_id, row_key, import_id, updated_at)"
        " VALUES (:organization, :key, 'blocker', now())",
        expected_meanwhile=[],
        organization=ACTOR.organization_id,
        key=f"R{rows - 1:05d}",
    )

    outcomes = run_phases(service, destination, import_id, ("process", "cleanup"))

    expected = [row(i, import_id) for i in range(rows) if i != 5]
    assert destination_rows(destination, service) == expected
    detail = outcomes["process"].detail
    assert (detail["created"], detail["updated"], detail["unchanged"], detail["deleted"]) == (
        2999,
        0,
        0,
        0,
    )
    assert (
        history(destination, service, import_id) == []
    )  # created rows need none; nothing left by the killed run
    status = service.status(ACTOR, import_id)
    assert (
        status.processing_status,
        status.total_rows,
        status.processed_rows,
        status.failed_rows,
    ) == (
        "partially_completed",
        3002,
        2999,
        3,
    )
    assert [(p.phase, p.status) for p in status.phases] == [
        (p, "completed") for p in (*BEFORE_PROCESS, "process", "cleanup")
    ]


def test_a_run_killed_while_updating_an_earlier_import_leaves_it_whole_and_the_rerun_updates_all(
    service, destination, database_url, tmp_path
):
    first = submit_rows(service, [line(i) for i in range(3000)], ignore_errors=False)
    run_phases(service, destination, first, (*BEFORE_PROCESS, "process", "cleanup"))
    before = [row(i, first) for i in range(3000)]
    assert destination_rows(destination, service) == before

    # R00000-R01999 again, the even ones 1000 km longer; R03000-R03499 are new; R02000-R02999 are
    # not in the file.
    changed = [line(i, shift=1000 if i % 2 == 0 else 0) for i in range(2000)] + [
        line(i) for i in range(3000, 3500)
    ]
    second = submit_rows(service, changed, ignore_errors=False)
    run_phases(service, destination, second, BEFORE_PROCESS)

    kill_process_inside_its_transaction(
        service,
        destination,
        database_url,
        tmp_path,
        second,
        "SELECT row_key FROM imports_logistics_requests"
        " WHERE organization_id = :organization AND row_key = :key FOR UPDATE",
        expected_meanwhile=before,
        organization=ACTOR.organization_id,
        key="R01998",
    )

    outcomes = run_phases(service, destination, second, ("process", "cleanup"))

    expected = sorted(
        [row(i, second, shift=1000) if i % 2 == 0 else row(i, first) for i in range(2000)]
        + [row(i, first) for i in range(2000, 3000)]
        + [row(i, second) for i in range(3000, 3500)]
    )
    assert destination_rows(destination, service) == expected
    detail = outcomes["process"].detail
    assert (detail["created"], detail["updated"], detail["unchanged"], detail["deleted"]) == (
        500,
        1000,
        1000,
        0,
    )
    # One history row per key the second import changed: the first import's version of each updated
    # row.
    assert history(destination, service, second) == sorted(
        [(f"R{i:05d}", "updated", float(f"{i}.{i % 10}"), first) for i in range(0, 2000, 2)]
    )
    assert history(destination, service, first) == []
    status = service.status(ACTOR, second)
    assert (status.processing_status, status.processed_rows, status.failed_rows) == (
        "completed",
        2500,
        0,
    )
