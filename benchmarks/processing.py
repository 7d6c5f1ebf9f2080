"""Benchmark processing (submit → ``completed``) against a hand-written COPY + upsert, and print one
table.

    .venv/bin/python benchmarks/processing.py [--rows 1000000]     # full size
    .venv/bin/python benchmarks/processing.py --rows 20000         # smoke run, well under a minute

Both sides write into a real, throwaway PostgreSQL server (``start_postgres()``),
each into its own database, and do the same work three times: a first import into
an empty destination, a re-import of the same file, then a file with the same keys
and every row changed. Prints a markdown table and
writes ``benchmarks/results/processing.json``. See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import signal
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from datasets import KNOWN_MAPPING, ensure_changed_csv, ensure_csv  # noqa: E402

RESULTS = HERE / "results" / "processing.json"
TEMPLATE_ID = "logistics_requests"
ORGANIZATION = "bench-org"
MAX_RATIO = 1.5
WARMUP_ROWS = 200

FINAL_STATUSES = {"completed", "partially_completed"}


def load() -> float:
    return round(os.getloadavg()[0], 2)


# --- ours -------------------------------------------------------------------------------------


class Ours:
    """An ImportService on SQLite + file store in ``folder``, and Dagster runs writing
    ``destination_url``."""

    def __init__(self, folder: Path, destination_url: str, warnings: list[str]) -> None:
        import dagster as dg

        from imports_pipeline.orchestration.resources import ImportsResource
        from imports_pipeline.sessions import ImportService
        from imports_pipeline.settings import Settings
        from imports_pipeline.vocabulary import Actor

        self.folder = folder
        self.warnings = warnings
        self.database_url = f"sqlite:///{folder / 'imports.db'}"
        self.service = ImportService.from_settings(
            Settings(database_url=self.database_url, data_dir=folder)
        )
        self.actor = Actor(organization_id=ORGANIZATION, user_id="bench-user")
        self.instance = dg.DagsterInstance.ephemeral()
        self.resource = ImportsResource(
            database_url=self.database_url, data_dir=str(folder), destination_url=destination_url
        )

    def submitted_session(self, upload, file_name: str) -> tuple[str, dict]:
        """Create (es_ES), suggest, validate, submit with ignore_errors + merge; only the submit
        call is timed."""
        created = self.service.create_session(
            self.actor, TEMPLATE_ID, file_name, upload, numeric_locale="es_ES"
        )
        import_id = created.import_id
        suggested = dict(self.service.suggest_mapping(self.actor, import_id).mapping)
        mapping = suggested
        if any(suggested.get(k) != v for k, v in KNOWN_MAPPING.items()):
            self.warnings.append(
                f"suggested mapping {suggested} differs from the known one: using the known mapping"
            )
            mapping = dict(KNOWN_MAPPING)
        validated = self.service.validate(self.actor, import_id, mapping)
        started = time.perf_counter()
        submitted = self.service.submit(
            self.actor,
            import_id,
            ignore_errors=True,
            action="merge",
            duplicate_handling="ignore_all",
        )
        submit_s = time.perf_counter() - started
        return import_id, {
            "import_id": import_id,
            "total_rows": created.total_rows,
            "error_rows": validated.error_rows,
            "rows_submitted": submitted.rows_submitted,
            "submit_s": submit_s,
        }

    def process(self, import_id: str, resource=None) -> dict:
        """From here (just after submit returned) until the status says completed /
        partially_completed."""
        import dagster as dg

        from imports_pipeline.orchestration.assets import PHASE_ASSETS
        from imports_pipeline.orchestration.partitions import import_sessions

        started = time.perf_counter()
        self.instance.add_dynamic_partitions(import_sessions.name, [import_id])
        result = dg.materialize(
            PHASE_ASSETS,
            partition_key=import_id,
            instance=self.instance,
            resources={"imports": resource or self.resource},
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
        materialized = time.perf_counter()
        status = self.service.status(self.actor, import_id)
        finished = time.perf_counter()
        if not result.success or status.processing_status not in FINAL_STATUSES:
            failures = [
                str(event.event_specific_data.error.to_string())
                if getattr(event.event_specific_data, "error", None)
                else event.message
                for event in result.all_events
                if event.is_failure
            ]
            raise RuntimeError(
                f"run of {import_id} did not complete: success={result.success}, "
                f"processing_status={status.processing_status}\n" + "\n".join(failures)
            )
        phases = {
            p.phase: {
                "seconds": p.duration_seconds,
                "rows_in": p.rows_in,
                "rows_out": p.rows_out,
                "rows_rejected": p.rows_rejected,
                "started_at": p.started_at.isoformat() if p.started_at else None,
                "finished_at": p.finished_at.isoformat() if p.finished_at else None,
            }
            for p in status.phases
        }
        process = next(p for p in status.phases if p.phase == "process").detail or {}
        first = min(p.started_at for p in status.phases)
        last = max(p.finished_at for p in status.phases)
        return {
            "seconds": finished - started,
            "materialize_s": materialized - started,
            "status_read_s": finished - materialized,
            "phases_s": sum(p["seconds"] or 0 for p in phases.values()),
            "first_phase_start_to_last_phase_end_s": (last - first).total_seconds(),
            "phases": phases,
            "processing_status": status.processing_status,
            "processed_rows": status.processed_rows,
            "failed_rows": status.failed_rows,
            "counts": {k: process.get(k) for k in ("created", "updated", "unchanged", "deleted")},
            "staged_with": process.get("staged_with"),
            "run_id": result.run_id,
        }


# --- baseline ---------------------------------------------------------------------------------


def baseline_rows(ours: Ours, import_id: str):
    """The session's submitted Parquet, minus the rows ours' dedupe left out; row keys computed
    here, untimed.

    Returns the Arrow table to stage (``row_key`` + template columns in the destination's types).
    """
    import pyarrow.parquet as pq

    from imports_pipeline.destination import row_keys
    from imports_pipeline.destination.staging import staged_rows

    service = ours.service
    status = service.status(ours.actor, import_id)
    stored = service.repository.get_file(status.submitted_file_id, ORGANIZATION)
    frame = pq.read_table(service.files.path_of(stored.relative_path)).to_pandas()
    template = service.catalog.get(TEMPLATE_ID)
    keys = row_keys(frame, template)
    # ignore_all: ours also drops the first copy of a key whose later copies failed at submit, and
    # every copy of a key repeated in the submitted rows. Drop the same rows so both sides write the
    # same set (an upsert cannot take two versions of one key in one statement anyway).
    rejected = set()
    name = "processing.dedupe.rejected.parquet"
    if (service.files.session_dir(import_id) / name).exists():
        rejected = set(service.files.read_frame(import_id, name)["row_index"].tolist())
    keep = ~frame["row_index"].isin(rejected)
    frame, keys = frame[keep], keys[keep]
    if keys.duplicated().any():
        raise RuntimeError(f"baseline rows still repeat {int(keys.duplicated().sum())} keys")
    return staged_rows(frame, template, keys), int((~keep).sum())


class Baseline:
    """COPY into a temporary staging table, then one INSERT … SELECT … ON CONFLICT DO UPDATE;
    psycopg3 directly."""

    def __init__(self, url: str) -> None:
        import psycopg
        import sqlalchemy as sa

        from imports_pipeline.destination.tables import destination_table, template_columns
        from imports_pipeline.templates.catalog import TemplateCatalog

        self.template = TemplateCatalog().get(TEMPLATE_ID)
        engine = sa.create_engine(url)
        metadata = sa.MetaData()
        self.table = destination_table(
            self.template, metadata
        )  # the same table ours writes: columns, types, primary key
        metadata.create_all(engine)
        self.staging_ddl = ", ".join(
            ["row_key text"]
            + [
                f'"{c.name}" {c.type.compile(engine.dialect)}'
                for c in template_columns(self.template)
            ]
        )
        engine.dispose()
        self.conninfo = url.replace("postgresql+psycopg://", "postgresql://")
        self.connection = psycopg.connect(self.conninfo)

    def count(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM "{self.table.name}"')
            value = cursor.fetchone()[0]
        self.connection.commit()
        return value

    def write(self, rows, import_id: str) -> dict:
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        columns = [f'"{name}"' for name in self.template.column_keys]
        before = self.count()
        options = pa_csv.WriteOptions(include_header=False, quoting_style="all_valid")
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE bench_staging ({self.staging_ddl}) ON COMMIT DROP"
            )
            with cursor.copy(
                f"COPY bench_staging (row_key, {', '.join(columns)}) FROM STDIN (FORMAT csv)"
            ) as copy:
                for batch in rows.to_batches(max_chunksize=50_000):
                    sink = pa.BufferOutputStream()
                    pa_csv.write_csv(batch, sink, options)
                    copy.write(sink.getvalue())
            copied = time.perf_counter()
            cursor.execute(
                f'INSERT INTO "{self.table.name}" '
                f"(organization_id, row_key, {', '.join(columns)}, import_id, updated_at) "
                f"SELECT %s, row_key, {', '.join(columns)}, %s, now() FROM bench_staging "
                "ON CONFLICT (organization_id, row_key) DO UPDATE SET "
                + ", ".join(f"{c} = EXCLUDED.{c}" for c in [*columns, "import_id", "updated_at"]),
                (ORGANIZATION, import_id),
            )
            affected = cursor.rowcount
        self.connection.commit()
        finished = time.perf_counter()
        after = self.count()
        created = after - before
        return {
            "seconds": finished - started,
            "copy_s": copied - started,
            "insert_s": finished - copied,
            "rows": rows.num_rows,
            "counts": {
                "created": created,
                "updated": affected - created,
                "unchanged": rows.num_rows - affected,
            },
        }

    def close(self) -> None:
        self.connection.close()


# --- the run ------------------------------------------------------------------------------------


def warm_up(ours: Ours, csv_path: Path, server) -> float:
    """One untimed tiny import through Dagster into its own database: imports, definitions and
    drivers warm."""
    from imports_pipeline.orchestration.resources import ImportsResource

    started = time.perf_counter()
    with open(csv_path, "rb") as handle:
        head = b"".join(handle.readline() for _ in range(WARMUP_ROWS + 1))
    warm = ImportsResource(
        database_url=ours.database_url,
        data_dir=str(ours.folder),
        destination_url=server.create_database("warmup"),
    )
    import_id, _ = ours.submitted_session(io.BytesIO(head), "warmup.csv")
    ours.process(import_id, resource=warm)
    warm.destination.dispose()
    return time.perf_counter() - started


def run(rows: int, result: dict) -> None:
    from imports_pipeline_tests.postgres_server import remove_server_folder, start_postgres

    csv_path = ensure_csv(rows)
    changed_path = ensure_changed_csv(rows)
    result["csv"] = str(csv_path)
    files = {"first": csv_path, "reimport": csv_path, "update": changed_path}
    server = None
    baseline = None
    try:
        started = time.perf_counter()
        server = start_postgres()
        result["postgres_start_s"] = time.perf_counter() - started
        result["postgres_version"] = server.bin_dir.parent.name
        ours_url = server.create_database("ours")
        baseline_url = server.create_database("baseline")
        with tempfile.TemporaryDirectory(prefix="imports-bench-processing-") as folder:
            ours = Ours(Path(folder), ours_url, result["warnings"])
            result["warmup_s"] = warm_up(ours, csv_path, server)
            baseline = Baseline(baseline_url)
            for scenario, path in files.items():
                print(
                    f"[{scenario}] ours: create session, validate, submit "
                    f"({rows:,} rows of {path.name}) ...",
                    flush=True,
                )
                with open(path, "rb") as upload:
                    import_id, session = ours.submitted_session(upload, path.name)
                entry = result["scenarios"].setdefault(scenario, {})
                entry["session"] = session
                entry["load_before_ours"] = load()
                print(f"[{scenario}] ours: processing {import_id} ...", flush=True)
                entry["ours"] = ours.process(import_id)
                print(
                    f"[{scenario}] ours: {entry['ours']['seconds']:.2f} s "
                    f"{entry['ours']['counts']}",
                    flush=True,
                )
                if scenario != "reimport":  # the re-import stages the first import's rows again
                    staged, left_out = baseline_rows(ours, import_id)
                    result.setdefault("baseline_rows", {})[scenario] = {
                        "rows": staged.num_rows,
                        "left_out_as_dedupe_did": left_out,
                    }
                entry["load_before_baseline"] = load()
                entry["baseline"] = baseline.write(staged, import_id)
                print(
                    f"[{scenario}] baseline: {entry['baseline']['seconds']:.2f} s "
                    f"{entry['baseline']['counts']}",
                    flush=True,
                )
            baseline.close()
            baseline = None
            ours.resource.destination.dispose()
    finally:
        if baseline is not None:
            with contextlib.suppress(Exception):
                baseline.close()
        if server is not None:
            server.stop()
            remove_server_folder(server)
            result["postgres_stopped"] = True


# --- report -------------------------------------------------------------------------------------


def fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def table_rows(result: dict) -> list[dict]:
    names = {
        "first": (
            "first import, empty destination (ours: submit → completed; baseline: COPY + INSERT)"
        ),
        "reimport": "re-import of the same file (ours: all unchanged; baseline: all conflicts)",
        "update": (
            "same keys, every row changed "
            "(ours: all updated, history kept; baseline: all conflicts)"
        ),
    }
    table = []
    for scenario, entry in result["scenarios"].items():
        ours_s = entry.get("ours", {}).get("seconds")
        base_s = entry.get("baseline", {}).get("seconds")
        ratio = ours_s / base_s if ours_s is not None and base_s else None
        table.append(
            {
                "scenario": names[scenario],
                "ours_s": ours_s,
                "baseline_s": base_s,
                "ratio": ratio,
                "target": f"≤ {MAX_RATIO:g}x",
                "met": None if ratio is None else ratio <= MAX_RATIO,
            }
        )
    return table


def print_report(result: dict) -> None:
    print()
    print(
        f"## imports_pipeline processing benchmark: {result['rows']:,} rows CSV "
        f"({platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} cores, "
        f"PostgreSQL {result.get('postgres_version', '?')}, "
        f"load average at start {result['load_average_at_start'][0]:.2f}, "
        f"at end {result.get('load_average_at_end', [0])[0]:.2f}: "
        "other work on the machine skews timings)"
    )
    print()
    print("| scenario | ours (s) | baseline (s) | ratio | target (≤ 1.5x) | met? |")
    print("|---|---:|---:|---:|---|---|")
    for row in result["table"]:
        ratio = f"{row['ratio']:.2f}x" if row["ratio"] is not None else "—"
        met = "—" if row["met"] is None else ("yes" if row["met"] else "**NO**")
        print(
            f"| {row['scenario']} | {fmt(row['ours_s'])} | {fmt(row['baseline_s'])} "
            f"| {ratio} | {row['target']} | {met} |"
        )
    print()
    scenarios = result["scenarios"]
    order = ["parse", "map", "prevalidate", "dedupe", "transform", "validate", "process", "cleanup"]
    print("Breakdown (s): | first import | re-import | update |")
    print("|---|---:|---:|---:|")

    def line(label, pick):
        values = []
        for scenario in ("first", "reimport", "update"):
            try:
                values.append(fmt(pick(scenarios[scenario])))
            except (KeyError, TypeError):
                values.append("—")
        print(f"| {label} | {' | '.join(values)} |")

    line("ours: submit call (not in the total above)", lambda e: e["session"]["submit_s"])
    for phase in order:
        line(f"ours: phase {phase}", lambda e, p=phase: e["ours"]["phases"][p]["seconds"])
    line("ours: sum of phases", lambda e: e["ours"]["phases_s"])
    line(
        "ours: Dagster + status overhead (total − sum of phases)",
        lambda e: e["ours"]["seconds"] - e["ours"]["phases_s"],
    )
    line(
        "baseline: COPY (CSV written by Arrow + COPY into a temp table)",
        lambda e: e["baseline"]["copy_s"],
    )
    line("baseline: INSERT … ON CONFLICT DO UPDATE + COMMIT", lambda e: e["baseline"]["insert_s"])
    print()
    for scenario in ("first", "reimport", "update"):
        entry = scenarios.get(scenario, {})
        session, ours, base = (
            entry.get("session", {}),
            entry.get("ours", {}),
            entry.get("baseline", {}),
        )
        if session:
            print(
                f"{scenario}: session {session['total_rows']:,} rows, "
                f"{session['error_rows']:,} error rows, "
                f"{session['rows_submitted']:,} submitted; ours {ours.get('processing_status')}: "
                f"{ours.get('processed_rows')} processed, {ours.get('failed_rows')} failed, "
                f"counts {ours.get('counts')} "
                f"(staged with {ours.get('staged_with')}); baseline {base.get('rows')} rows, "
                f"counts {base.get('counts')}"
            )
    if "baseline_rows" in result:
        left_out = result["baseline_rows"]["first"]["left_out_as_dedupe_did"]
        print(
            "Baseline rows: each session's submitted Parquet minus the rows ours' dedupe left out "
            f"({left_out:,}, ignore_all); "
            "row keys computed with imports_pipeline.destination.row_keys and converted to Arrow "
            "before the timer starts. The baseline has no history table, no per-row outcomes, "
            "and updates every conflicting row (no IS DISTINCT FROM filter)."
        )
    if "warmup_s" in result:
        print(
            f"Untimed warm-up: one {WARMUP_ROWS}-row import through Dagster into its own database "
            f"({result['warmup_s']:.2f} s)."
        )
    for warning in result["warnings"]:
        print(f"WARNING: {warning}")
    if result.get("error"):
        print(f"\nERROR:\n{result['error']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows",
        type=int,
        default=1_000_000,
        help="CSV rows (default 1,000,000; 20000 for a smoke run)",
    )
    args = parser.parse_args()

    def stop(signum, frame):
        raise SystemExit(
            128 + signum
        )  # unwinds through run()'s finally: the server is stopped and removed

    signal.signal(signal.SIGTERM, stop)
    started = time.perf_counter()
    result: dict = {
        "rows": args.rows,
        "load_average_at_start": os.getloadavg(),
        "cpu_count": os.cpu_count(),
        "target_max_ratio": MAX_RATIO,
        "scenarios": {},
        "warnings": [],
    }
    try:
        run(args.rows, result)
    except Exception:
        result["error"] = traceback.format_exc()
        print(result["error"], file=sys.stderr)
    result["load_average_at_end"] = os.getloadavg()
    result["table"] = table_rows(result)
    result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    result["total_s"] = time.perf_counter() - started
    print_report(result)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, default=str))
    print(f"\nwrote {RESULTS.relative_to(REPO)} (total {result['total_s']:.1f} s)")
    if result.get("error"):
        sys.exit(1)


if __name__ == "__main__":
    main()
