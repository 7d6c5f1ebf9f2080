"""Benchmark the Imports service against a pyarrow + pandera baseline and print one table.

    .venv/bin/python benchmarks/run.py [--rows 1000000] [--xlsx-rows 100000]

Generates (or reuses) the inputs in ``benchmarks/.data/``, runs the service steps
and the baseline each in its own child process (so each peak RSS is its own),
prints a markdown table and writes ``benchmarks/results/latest.json``.
See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from datasets import ensure_csv, ensure_xlsx, generator_path  # noqa: E402

RESULTS = HERE / "results" / "latest.json"
CHILD_TIMEOUT_S = 3600

# Targets (seconds unless said otherwise).
VALIDATE_MAX_RATIO = 1.5
CREATE_MAX_S = 2.0
PATCH_MAX_S = 0.1
PAGE_MAX_S = 0.05
PEAK_MAX_GB = 2.0
XLSX_CREATE_MAX_S = 3.0


def run_child(script: str, args: list[str]) -> dict:
    """Run ``benchmarks/<script>`` in a fresh interpreter; it writes its JSON result to a file we
    name."""
    with tempfile.TemporaryDirectory(prefix="imports-bench-out-") as folder:
        out = Path(folder) / "result.json"
        command = [sys.executable, str(HERE / script), *args, str(out)]
        started = time.perf_counter()
        try:
            completed = subprocess.run(command, cwd=REPO, timeout=CHILD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return {"error": f"{script} did not finish within {CHILD_TIMEOUT_S} s", "steps": {}}
        elapsed = time.perf_counter() - started
        if not out.exists():
            return {
                "error": f"{script} exited with code {completed.returncode} and wrote no result",
                "steps": {},
            }
        result = json.loads(out.read_text())
        result["process_wall_s"] = elapsed
        result["exit_code"] = completed.returncode
        return result


def fmt_s(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def fmt_ratio(ours: float | None, base: float | None, digits: int = 2) -> str:
    if ours is None or not base:
        return "—"
    return f"{ours / base:.{digits}f}x"


def met(ok: bool | None) -> str:
    return "—" if ok is None else ("yes" if ok else "**NO**")


def build_rows(service: dict, baseline: dict, rows: int, xlsx_rows: int | None) -> list[dict]:
    steps = service.get("steps", {})

    def ours(name: str) -> tuple[float | None, str | None]:
        step = steps.get(name, {})
        if "error" in step:
            failed = step.get("failed_calls")
            if failed and step.get("seconds") is not None:
                return (
                    None,
                    f"ERROR: {failed}/{step.get('calls')} calls raised; "
                    f"median of the rest {fmt_s(step['seconds'])}",
                )
            return None, f"ERROR: {failed}/{step.get('calls')} calls raised" if failed else "ERROR"
        if "skipped" in step:
            return None, "skipped"
        if "seconds" not in step:
            return None, "not run"
        return step["seconds"], None

    base_read = baseline.get("read_s")
    base_validate = baseline.get("validate_s")
    base_total = baseline.get("read_validate_s")
    table: list[dict] = []

    def add(step, name, base, target, check, note_base="", ratio_digits=2):
        value, problem = ours(name) if name else (None, None)
        table.append(
            {
                "step": step,
                "ours": problem or fmt_s(value),
                "ours_s": value,
                "baseline": (fmt_s(base) + note_base) if base is not None else "—",
                "baseline_s": base,
                "ratio": fmt_ratio(value, base, ratio_digits) if base is not None else "—",
                "target": target,
                "met": "—"
                if check is None
                else ("no (" + problem.split(";")[0] + ")" if problem else met(check(value))),
            }
        )

    add(
        f"create session, {rows:,}-row CSV (read + persist)",
        "create_session",
        base_read,
        f"< {CREATE_MAX_S:g} s",
        lambda v: v < CREATE_MAX_S,
        " (pyarrow read)",
    )
    add("suggest mapping", "suggest_mapping", None, "—", None)
    add(
        "validate vs baseline validate-only",
        "validate",
        base_validate,
        "(info)",
        None,
        ratio_digits=3,
    )
    add(
        "validate vs baseline read+validate",
        "validate",
        base_total,
        f"≤ {VALIDATE_MAX_RATIO:g}x baseline read+validate",
        lambda v: base_total is not None and v <= VALIDATE_MAX_RATIO * base_total,
        ratio_digits=3,
    )
    page = steps.get("errors_only_page", {})
    add(
        f"errors-only page (median of {page.get('calls', 0)})",
        "errors_only_page",
        None,
        f"< {PAGE_MAX_S:g} s",
        lambda v: v < PAGE_MAX_S,
    )
    patch = steps.get("patch_10_rows", {})
    add(
        f"10-row patch (median of {patch.get('calls', 0)})",
        "patch_10_rows",
        None,
        f"< {PATCH_MAX_S:g} s",
        lambda v: v < PATCH_MAX_S,
    )
    add(
        f"create session, {xlsx_rows or 0:,}-row XLSX",
        "xlsx_create_session",
        None,
        f"< {XLSX_CREATE_MAX_S:g} s",
        lambda v: v < XLSX_CREATE_MAX_S,
    )
    ours_gb = service["peak_rss_kb"] / 2**20 if service.get("peak_rss_kb") else None
    base_gb = baseline["peak_rss_kb"] / 2**20 if baseline.get("peak_rss_kb") else None
    table.append(
        {
            "step": "peak RSS (GB, not s)",
            "ours": f"{ours_gb:.2f}" if ours_gb is not None else "—",
            "ours_s": ours_gb,
            "baseline": f"{base_gb:.2f}" if base_gb is not None else "—",
            "baseline_s": base_gb,
            "ratio": fmt_ratio(ours_gb, base_gb),
            "target": f"< {PEAK_MAX_GB:g} GB",
            "met": "no (service run failed)"
            if service.get("error")
            else met(ours_gb < PEAK_MAX_GB if ours_gb is not None else None),
        }
    )
    return table


def print_table(table: list[dict]) -> None:
    header = ["step", "ours (s)", "baseline (s)", "ratio", "target", "met?"]
    keys = ["step", "ours", "baseline", "ratio", "target", "met"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] + ["---:"] * 3 + ["---", "---"]) + "|")
    for row in table:
        print("| " + " | ".join(str(row[k]) for k in keys) + " |")


def print_notes(service: dict, baseline: dict) -> None:
    info = service.get("info", {})
    print()
    print(
        "The validate target compares our validate with the baseline's read+validate, "
        "because our validate also "
        "reads the stored table (the parsed Parquet) before coercing and checking it."
    )
    if baseline.get("decimal_mode"):
        print(
            f"Baseline: pyarrow.csv.read_csv ({baseline['decimal_mode']}, column types given) "
            "→ to_pandas(), "
            f"{baseline.get('date_parsing')}; pandera.pandas DataFrameSchema, lazy=True."
        )
    if "error_rows" in info:
        print(
            f"Ours: {info.get('total_rows', 0):,} rows, {info['error_rows']:,} error rows; "
            "by column: "
            f"{json.dumps(info.get('errors_by_column', {}), sort_keys=True)}"
        )
    if "failing_rows" in baseline:
        print(
            f"Baseline: {baseline.get('rows', 0):,} rows, "
            f"{baseline['failing_rows']:,} failing rows; by column: "
            f"{json.dumps(baseline.get('failures_by_column', {}), sort_keys=True)}"
        )
    ours_by, base_by = info.get("errors_by_column"), baseline.get("failures_by_column")
    if ours_by is not None and base_by is not None:
        differ = {
            c: (ours_by.get(c, 0), base_by.get(c, 0))
            for c in sorted(set(ours_by) | set(base_by))
            if ours_by.get(c, 0) != base_by.get(c, 0)
        }
        print(
            "error rows by column: "
            + (
                "identical on both sides"
                if not differ
                else "DIFFER (ours, baseline): " + json.dumps(differ)
            )
        )
    if "patch_candidate_scan" in info:
        print(
            f"patch rows: {info.get('patch_rows_fixable', 0)} of the patched rows "
            "had only a distance_km error; "
            f"candidate scan: {json.dumps(info['patch_candidate_scan'])}"
        )
    if "patch_error_rows_after" in info:
        print(f"error_rows after each patch: {info['patch_error_rows_after']}")
    for name, step in service.get("steps", {}).items():
        if step.get("samples"):
            samples = step["samples"]
            failed = (
                f" ({step['failed_calls']} other calls raised)" if step.get("failed_calls") else ""
            )
            print(
                f"{name}: min {min(samples):.4f} s, median {step.get('seconds') or 0:.4f} s, "
                f"max {max(samples):.4f} s "
                f"over {len(samples)} successful calls{failed}"
            )
    rss = {
        name: step.get("peak_rss_kb_after")
        for name, step in service.get("steps", {}).items()
        if step.get("peak_rss_kb_after")
    }
    if rss:
        print(
            "our peak RSS after each step (MB): "
            + ", ".join(f"{k} {v / 1024:.0f}" for k, v in rss.items())
        )
    for warning in service.get("warnings", []):
        print(f"WARNING: {warning}")
    for who, result in (("service", service), ("baseline", baseline)):
        if result.get("error"):
            print(f"\n{who} harness ERROR:\n{result['error']}")
        for name, step in result.get("steps", {}).items():
            if "error" in step:
                how = (
                    f" ({step['failed_calls']}/{step['calls']} calls failed; first traceback)"
                    if step.get("failed_calls")
                    else ""
                )
                print(f"\nERROR in service step '{name}'{how}:\n{step['error']}")
            elif "skipped" in step:
                print(f"skipped '{name}': {step['skipped']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows",
        type=int,
        default=1_000_000,
        help="CSV rows (default 1,000,000; 20000 for a smoke run)",
    )
    parser.add_argument(
        "--xlsx-rows",
        type=int,
        default=None,
        help=(
            "XLSX rows, taken from the start of the CSV (default 100,000, at most --rows; 0 skips)"
        ),
    )
    args = parser.parse_args()
    xlsx_rows = min(100_000, args.rows) if args.xlsx_rows is None else args.xlsx_rows
    if xlsx_rows > args.rows:
        print(
            f"--xlsx-rows {xlsx_rows:,} > --rows {args.rows:,}: using {args.rows:,} "
            "(the XLSX is the CSV's first rows)"
        )
        xlsx_rows = args.rows

    load_before = os.getloadavg()
    started = time.perf_counter()
    csv_path = ensure_csv(args.rows)
    xlsx_path = ensure_xlsx(csv_path, xlsx_rows) if xlsx_rows > 0 else None
    data_s = time.perf_counter() - started

    print("running baseline (pyarrow + pandera) ...", flush=True)
    baseline = run_child("baseline.py", [str(csv_path)])
    print("running service steps ...", flush=True)
    service = run_child("service_steps.py", [str(csv_path), str(xlsx_path) if xlsx_path else "-"])

    table = build_rows(service, baseline, args.rows, xlsx_rows if xlsx_path else None)
    print()
    print(
        f"## imports_pipeline benchmark: {args.rows:,} rows CSV, {xlsx_rows:,} rows XLSX "
        f"({platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} cores, "
        f"load average at start {load_before[0]:.2f}: other work on the machine skews timings)"
    )
    print()
    print_table(table)
    print_notes(service, baseline)

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "rows": args.rows,
                "xlsx_rows": xlsx_rows,
                "csv": str(csv_path),
                "xlsx": str(xlsx_path) if xlsx_path else None,
                "generator": str(generator_path()),
                "data_prep_s": data_s,
                "load_average_at_start": load_before,
                "targets": {
                    "validate_max_ratio_vs_baseline_read_validate": VALIDATE_MAX_RATIO,
                    "create_session_max_s": CREATE_MAX_S,
                    "patch_10_rows_max_s": PATCH_MAX_S,
                    "errors_only_page_max_s": PAGE_MAX_S,
                    "peak_rss_max_gb": PEAK_MAX_GB,
                    "xlsx_create_session_max_s": XLSX_CREATE_MAX_S,
                },
                "table": table,
                "service": service,
                "baseline": baseline,
            },
            indent=2,
            default=str,
        )
    )
    print(f"\nwrote {RESULTS.relative_to(REPO)} (total {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
