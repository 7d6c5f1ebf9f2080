"""Latency of the contract's flow over real HTTP (uvicorn) vs the same use cases called in-process.

    .venv/bin/python benchmarks/http_latency.py [--rows 1000000] [--repeats 30]

For the 240-row example file and the ``--rows``-row benchmark CSV (made or reused
in ``benchmarks/.data/``), times each step of the flow (create, suggest mapping,
unique values, validate, errors-only page, patch, status, list) both ways in the
same run: directly on an ``ImportService`` on its own temporary folder, and over
HTTP against ``uvicorn imports_pipeline.api.app:from_environment --factory``
started as a subprocess on 127.0.0.1 with ``IMPORTS_DATA_DIR`` pointing at
another temporary folder. Direct and HTTP calls alternate (which goes first
flips every repeat) so that load from other work on the machine hits both sides.

Prints a markdown table of p50/p95 per step and the overhead of HTTP, a verdict
per target, and writes ``benchmarks/results/http_latency.json``.
See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from datasets import KNOWN_MAPPING, ensure_csv  # noqa: E402

RESULTS = HERE / "results" / "http_latency.json"
SAMPLE_CSV = REPO / "imports_pipeline" / "samples" / "logistics_march.csv"
TEMPLATE_ID = "logistics_requests"
ORG = "bench-org"
USER = "bench-user"
PAGE_SIZE = 50
ROWS_PER_PATCH = 10
PATCH_COLUMN = "distance_km"
HTTP_TIMEOUT_S = 600.0
SERVER_START_TIMEOUT_S = 60.0

# Targets.
LARGE_MAX_OVERHEAD = 0.20
"""HTTP p50 may add at most 20% to the direct p50 on the large file (total of the steps, and per
step)."""
SMALL_MAX_OVERHEAD_MS = 10.0
"""HTTP p50 − direct p50 per step on the small file."""

# Repeats on the large file (the small file uses --repeats for every step).
LARGE_CREATES = 3
LARGE_VALIDATES = 3
LARGE_PAGES = 20
LARGE_PATCHES = 10
LARGE_CHEAP_CALLS = 20
"""suggest mapping, unique values, status, list on the large file."""


STEPS = [
    ("create", "create session (upload)"),
    ("suggest", "suggest mapping"),
    ("unique", "unique values"),
    ("validate", "validate (page 1, 50 rows)"),
    ("errors_page", "rows errors_only page"),
    ("patch", "patch rows"),
    ("status", "status"),
    ("list", "list sessions"),
]


# --- the two ways to call the flow ------------------------------------------------------------
#
# Both return plain JSON-like dicts, so the harness does not care which side it talks to.
# Only the call itself is timed: for HTTP, the request until its whole body is read
# (httpx reads it before returning); decoding the JSON on the client is not timed.


class Direct:
    name = "direct"

    def __init__(self, folder: Path) -> None:
        from imports_pipeline.sessions import ImportService
        from imports_pipeline.settings import Settings
        from imports_pipeline.vocabulary import Actor, Correction

        self.correction = Correction
        self.service = ImportService.from_settings(
            Settings(database_url=f"sqlite:///{folder / 'imports.db'}", data_dir=folder)
        )
        self.actor = Actor(organization_id=ORG, user_id=USER)

    def close(self) -> None:
        self.service.repository.engine.dispose()

    @staticmethod
    def _timed(call: Callable[[], Any]) -> tuple[float, dict]:
        started = time.perf_counter()
        result = call()
        elapsed = time.perf_counter() - started
        return elapsed, result.model_dump(mode="json")

    def create(self, path: Path, file_name: str) -> tuple[float, dict]:
        def call():
            with open(path, "rb") as upload:
                return self.service.create_session(
                    self.actor, TEMPLATE_ID, file_name, upload, numeric_locale="es_ES"
                )

        return self._timed(call)

    def suggest(self, import_id: str) -> tuple[float, dict]:
        return self._timed(lambda: self.service.suggest_mapping(self.actor, import_id))

    def unique(self, import_id: str, mapping: dict) -> tuple[float, dict]:
        return self._timed(lambda: self.service.unique_values(self.actor, import_id, mapping))

    def validate(self, import_id: str, mapping: dict) -> tuple[float, dict]:
        return self._timed(
            lambda: self.service.validate(
                self.actor, import_id, mapping, page=1, page_size=PAGE_SIZE
            )
        )

    def errors_page(
        self, import_id: str, page: int, page_size: int = PAGE_SIZE
    ) -> tuple[float, dict]:
        return self._timed(
            lambda: self.service.rows(self.actor, import_id, page, page_size, errors_only=True)
        )

    def patch(self, import_id: str, corrections: list[dict]) -> tuple[float, dict]:
        items = [self.correction(c["row_index"], c["column"], c["value"]) for c in corrections]
        return self._timed(lambda: self.service.patch_rows(self.actor, import_id, items))

    def status(self, import_id: str) -> tuple[float, dict]:
        return self._timed(lambda: self.service.status(self.actor, import_id))

    def list(self) -> tuple[float, dict]:
        return self._timed(lambda: self.service.list_sessions(self.actor))


class Http:
    name = "http"

    def __init__(self, base_url: str, api_key: str) -> None:
        import httpx

        # One client, one keep-alive connection reused for every call.
        self.client = httpx.Client(
            base_url=base_url,
            headers={"x-api-key": api_key, "x-organization-id": ORG},
            timeout=HTTP_TIMEOUT_S,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        )

    def close(self) -> None:
        self.client.close()

    def _timed(self, method: str, url: str, **kwargs) -> tuple[float, dict]:
        started = time.perf_counter()
        response = self.client.request(method, url, **kwargs)
        elapsed = time.perf_counter() - started
        if response.status_code >= 400:
            raise RuntimeError(
                f"{method} {url} answered {response.status_code}: {response.text[:2000]}"
            )
        return elapsed, response.json()

    def create(self, path: Path, file_name: str) -> tuple[float, dict]:
        with open(
            path, "rb"
        ) as upload:  # httpx streams an open file in chunks (multipart, Content-Length known)
            return self._timed(
                "POST",
                "/v2/imports/sessions",
                data={"template_id": TEMPLATE_ID, "numeric_locale": "es_ES"},
                files={"upload_file": (file_name, upload, "text/csv")},
            )

    def suggest(self, import_id: str) -> tuple[float, dict]:
        return self._timed("POST", f"/v2/imports/{import_id}/mapping/suggest", json={})

    def unique(self, import_id: str, mapping: dict) -> tuple[float, dict]:
        return self._timed(
            "POST", f"/v2/imports/{import_id}/unique-values", json={"mapping": mapping}
        )

    def validate(self, import_id: str, mapping: dict) -> tuple[float, dict]:
        return self._timed(
            "POST",
            f"/v2/imports/{import_id}/validate",
            params={"page": 1, "page_size": PAGE_SIZE},
            json={"mapping": mapping},
        )

    def errors_page(
        self, import_id: str, page: int, page_size: int = PAGE_SIZE
    ) -> tuple[float, dict]:
        return self._timed(
            "GET",
            f"/v2/imports/{import_id}/rows",
            params={"errors_only": "true", "page": page, "page_size": page_size},
        )

    def patch(self, import_id: str, corrections: list[dict]) -> tuple[float, dict]:
        return self._timed(
            "PATCH", f"/v2/imports/{import_id}/rows", json={"corrections": corrections}
        )

    def status(self, import_id: str) -> tuple[float, dict]:
        return self._timed("GET", f"/v2/imports/{import_id}/status")

    def list(self) -> tuple[float, dict]:
        return self._timed("GET", "/v2/imports/sessions")


# --- the server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("IMPORTS_DATABASE_URL",)}
    env["IMPORTS_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def issue_key(env: dict[str, str]) -> str:
    """``imports-pipeline keys create``, in the server's database; the key is the last line
    printed."""
    script = Path(sys.executable).parent / "imports-pipeline"
    entry = (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "from imports_pipeline.cli import main; main()"]
    )
    command = [*entry, "keys", "create", "--org", ORG, "--user", USER]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"keys create failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip().splitlines()[-1].strip()


class Server:
    """uvicorn in a child process; stopped (by its pid) in ``stop``, also on errors and SIGTERM."""

    def __init__(self, data_dir: Path, log_path: Path) -> None:
        self.data_dir = data_dir
        self.log_path = log_path
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.env = server_env(data_dir)

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "imports_pipeline.api.app:from_environment",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
        ]
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - open for the server's life, closed in stop()
        self.process = subprocess.Popen(
            command, cwd=REPO, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        import httpx

        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"uvicorn exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                if httpx.get(self.base_url + "/openapi.json", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(
            f"uvicorn did not answer within {SERVER_START_TIMEOUT_S:g} s:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if getattr(self, "log", None) is not None:
            self.log.close()


# --- measuring --------------------------------------------------------------------------------


def percentile(samples: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not samples:
        return None
    ordered = sorted(samples)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class Recorder:
    """Samples per (file, step, side); a call that raises is recorded with its traceback and
    skipped."""

    def __init__(self) -> None:
        self.samples: dict[str, dict[str, dict[str, list[float]]]] = {}
        self.errors: list[dict] = []
        self.warnings: list[str] = []
        self.notes: dict[str, dict[str, str]] = {}

    def pair(
        self, file: str, step: str, repeat: int, calls: dict[str, Callable[[], tuple[float, dict]]]
    ) -> dict[str, dict | None]:
        """Run the direct and the HTTP call of one repeat; which goes first flips every repeat."""
        order = ["direct", "http"] if repeat % 2 == 0 else ["http", "direct"]
        results: dict[str, dict | None] = {}
        for side in order:
            try:
                elapsed, body = calls[side]()
            except Exception:
                self.errors.append(
                    {
                        "file": file,
                        "step": step,
                        "side": side,
                        "repeat": repeat,
                        "traceback": traceback.format_exc(),
                    }
                )
                print(
                    f"[{file}] {step} ({side}, repeat {repeat}) failed:\n{traceback.format_exc()}",
                    file=sys.stderr,
                )
                results[side] = None
                continue
            self.samples.setdefault(file, {}).setdefault(step, {}).setdefault(side, []).append(
                elapsed
            )
            results[side] = body
        return results

    def warn(self, message: str) -> None:
        print(f"WARNING: {message}", file=sys.stderr)
        self.warnings.append(message)


def spread_pages(pages: int, count: int) -> list[int]:
    if pages <= 0:
        return []
    if pages <= count:
        return [1 + i % pages for i in range(count)]
    return [1 + round(i * (pages - 1) / (count - 1)) for i in range(count)]


def run_file(
    rec: Recorder,
    sides: dict[str, Any],
    file: str,
    path: Path,
    counts: dict[str, int],
    patch_value: float,
) -> dict:
    """The whole flow on one file, both sides step by step; returns info about the run."""
    info: dict[str, Any] = {"path": str(path), "size_bytes": path.stat().st_size}
    direct = sides["direct"]
    ids: dict[str, list[str]] = {"direct": [], "http": []}

    def both(
        step: str,
        repeat: int,
        call: Callable[[Any, str | None], tuple[float, dict]],
        session: int | None = None,
    ):
        def bound(side: str):
            import_id = (
                ids[side][session % len(ids[side])] if session is not None and ids[side] else None
            )
            return lambda: call(sides[side], import_id)

        return rec.pair(file, step, repeat, {"direct": bound("direct"), "http": bound("http")})

    # create
    print(f"[{file}] create x{counts['create']} ...", flush=True)
    created = None
    for r in range(counts["create"]):
        out = both("create", r, lambda s, _id: s.create(path, path.name))
        for side in ("direct", "http"):
            if out[side] is not None:
                ids[side].append(out[side]["import_id"])
        created = created or out["direct"] or out["http"]
    if not ids["direct"] or not ids["http"]:
        rec.warn(f"[{file}] create failed on one side: later steps skipped")
        return info
    info["total_rows"] = created["total_rows"]
    info["source_columns"] = created["source_columns"]
    mapping = {k: v for k, v in KNOWN_MAPPING.items() if v in created["source_columns"]}
    info["mapping"] = mapping
    sessions = min(len(ids["direct"]), len(ids["http"]))

    # suggest mapping
    print(f"[{file}] suggest x{counts['suggest']} ...", flush=True)
    for r in range(counts["suggest"]):
        out = both("suggest", r, lambda s, i: s.suggest(i), session=r % sessions)
        for side in ("direct", "http"):
            if r == 0 and out[side] is not None and out[side]["mapping"] != mapping:
                rec.warn(
                    f"[{file}] {side} suggested {out[side]['mapping']}, "
                    f"validating with the known mapping {mapping}"
                )

    # unique values
    print(f"[{file}] unique values x{counts['unique']} ...", flush=True)
    for r in range(counts["unique"]):
        both("unique", r, lambda s, i: s.unique(i, mapping), session=r % sessions)

    # validate: each repeat on the next session (round robin; validate is repeatable on one session)
    print(f"[{file}] validate x{counts['validate']} ...", flush=True)
    validated: dict[str, dict] = {}
    for r in range(counts["validate"]):
        out = both("validate", r, lambda s, i: s.validate(i, mapping), session=r % sessions)
        for side in ("direct", "http"):
            if out[side] is not None:
                validated.setdefault(side, out[side])
    for side, body in validated.items():
        info[f"{side}_validate"] = {
            k: body.get(k) for k in ("total_rows", "valid_rows", "error_rows", "errors_by_column")
        }
    if len(validated) == 2:
        keys = ("total_rows", "valid_rows", "error_rows", "errors_by_column")
        if any(validated["direct"].get(k) != validated["http"].get(k) for k in keys):
            rec.warn(
                f"[{file}] validate counts differ: direct {info['direct_validate']} "
                f"vs http {info['http_validate']}"
            )
    else:
        rec.warn(f"[{file}] validate failed on one side: later steps skipped")
        return info
    error_rows = validated["direct"]["error_rows"]
    validated_sessions = min(sessions, counts["validate"])

    # errors-only pages: small file on each validated session's page 1; large file spread over all
    # pages of session 0
    pages_total = -(-error_rows // PAGE_SIZE)
    if counts["errors_page"] and pages_total:
        if file == "large":  # pages spread over all the error pages of session 0
            plan = [(0, number) for number in spread_pages(pages_total, counts["errors_page"])]
        else:  # page 1 of each validated session in turn
            plan = [(r % validated_sessions, 1) for r in range(counts["errors_page"])]
        info["errors_pages"] = [number for _, number in plan]
        print(f"[{file}] errors-only page x{len(plan)} ...", flush=True)
        for r, (session, page) in enumerate(plan):
            out = both("errors_page", r, lambda s, i, p=page: s.errors_page(i, p), session=session)
            if out["direct"] is not None and out["http"] is not None:
                d = [x["row_index"] for x in out["direct"]["rows"]]
                h = [x["row_index"] for x in out["http"]["rows"]]
                if d != h:
                    rec.warn(
                        f"[{file}] errors-only page {page}: direct rows {d[:5]}… "
                        f"differ from http rows {h[:5]}…"
                    )

    # patches: rows whose only error is distance_km first (untimed scan of the direct side's
    # errors-only pages)
    if counts["patch"] and error_rows:
        fixable, others = [], []
        needed = ROWS_PER_PATCH * counts["patch"] if file == "large" else ROWS_PER_PATCH
        page = 1
        while len(fixable) < needed and page <= -(-error_rows // 1000):
            _, body = direct.errors_page(ids["direct"][0], page, 1000)
            for item in body["rows"]:
                target = (
                    fixable if all(e["column"] == PATCH_COLUMN for e in item["errors"]) else others
                )
                target.append(item["row_index"])
            page += 1
        candidates = fixable + others
        if file == "large":
            batches = [
                candidates[i : i + ROWS_PER_PATCH]
                for i in range(0, len(candidates), ROWS_PER_PATCH)
            ][: counts["patch"]]
            batches = [b for b in batches if len(b) == ROWS_PER_PATCH]
            plan = [(0, b) for b in batches]  # 10 different rows per call, all on session 0
        else:
            rows = candidates[
                :ROWS_PER_PATCH
            ]  # the example file has only 2 error rows: patch them all,
            plan = [
                (r % validated_sessions, rows) for r in range(counts["patch"])
            ]  # once per validated session
        info["patch_rows_per_call"] = len(plan[0][1]) if plan else 0
        info["patch_fixable_rows_found"] = len(fixable)
        print(
            f"[{file}] patch x{len(plan)} ({info['patch_rows_per_call']} rows each) ...", flush=True
        )
        after: dict[str, list] = {"direct": [], "http": []}
        for r, (session, batch) in enumerate(plan):
            corrections = [
                {"row_index": i, "column": PATCH_COLUMN, "value": patch_value} for i in batch
            ]
            out = both("patch", r, lambda s, i, c=corrections: s.patch(i, c), session=session)
            for side in ("direct", "http"):
                after[side].append(out[side]["error_rows"] if out[side] is not None else None)
        info["patch_error_rows_after"] = after
        if after["direct"] != after["http"]:
            rec.warn(
                f"[{file}] error_rows after each patch differ: direct {after['direct']} "
                f"vs http {after['http']}"
            )
        if file == "large" and all(b and all(i in set(fixable) for i in b) for _, b in plan):
            expected = [error_rows - ROWS_PER_PATCH * (n + 1) for n in range(len(plan))]
            if after["direct"] != expected:
                rec.warn(
                    f"[{file}] error_rows after patches {after['direct']}, expected {expected}"
                )

    print(f"[{file}] status x{counts['status']}, list x{counts['list']} ...", flush=True)
    for r in range(counts["status"]):
        both("status", r, lambda s, i: s.status(i), session=r % sessions)
    for r in range(counts["list"]):
        both("list", r, lambda s, _id: s.list())
    return info


def warm_up(sides: dict[str, Any]) -> None:
    """One untimed pass of the flow on the example file on each side (first-call imports, caches,
    connections)."""
    mapping = {
        k: v
        for k, v in KNOWN_MAPPING.items()
        if k in ("trip_date", "client", "distance_km", "origin_country", "destination_country")
    }
    for side in sides.values():
        _, created = side.create(SAMPLE_CSV, SAMPLE_CSV.name)
        import_id = created["import_id"]
        side.suggest(import_id)
        side.unique(import_id, mapping)
        side.validate(import_id, mapping)
        _, page = side.errors_page(import_id, 1)
        if page["rows"]:
            side.patch(
                import_id,
                [
                    {
                        "row_index": page["rows"][0]["row_index"],
                        "column": PATCH_COLUMN,
                        "value": 128.4,
                    }
                ],
            )
        side.status(import_id)
        side.list()


# --- report ---------------------------------------------------------------------------------


def fmt_ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    ms = seconds * 1000
    return f"{ms:.2f}" if ms < 10 else (f"{ms:.1f}" if ms < 1000 else f"{ms:,.0f}")


def build_table(
    rec: Recorder, labels: dict[str, str], infos: dict[str, dict]
) -> tuple[list[dict], dict]:
    table: list[dict] = []
    totals: dict[str, dict[str, float]] = {}
    for file in ("small", "large"):
        by_step = rec.samples.get(file, {})
        total = {"direct": 0.0, "http": 0.0}
        for key, label in STEPS:
            sides = by_step.get(key, {})
            d, h = sides.get("direct", []), sides.get("http", [])
            if not d and not h:
                continue
            row = {
                "file": labels[file],
                "step": key,
                "label": label + step_note(file, key, infos.get(file, {})),
                "calls": {"direct": len(d), "http": len(h)},
                "direct_p50_s": percentile(d, 0.5),
                "direct_p95_s": percentile(d, 0.95),
                "http_p50_s": percentile(h, 0.5),
                "http_p95_s": percentile(h, 0.95),
            }
            if row["direct_p50_s"] is not None and row["http_p50_s"] is not None:
                row["overhead_s"] = row["http_p50_s"] - row["direct_p50_s"]
                row["overhead_ratio"] = (
                    row["overhead_s"] / row["direct_p50_s"] if row["direct_p50_s"] else None
                )
                total["direct"] += row["direct_p50_s"]
                total["http"] += row["http_p50_s"]
            table.append(row)
        if total["direct"]:
            totals[file] = total
    return table, totals


def step_note(file: str, key: str, info: dict) -> str:
    if key == "patch" and info.get("patch_rows_per_call"):
        return f" ({info['patch_rows_per_call']} rows/call)"
    return ""


def fmt_overhead(row: dict) -> str:
    if row.get("overhead_s") is None:
        return "—"
    ms = row["overhead_s"] * 1000
    pct = f" ({row['overhead_ratio'] * 100:+.0f}%)" if row.get("overhead_ratio") is not None else ""
    return f"{ms:+.2f} ms{pct}" if abs(ms) < 10 else f"{ms:+,.1f} ms{pct}"


def print_table(table: list[dict], totals: dict, labels: dict[str, str]) -> None:
    print(
        "| file | step | n | direct p50 (ms) | direct p95 (ms) | HTTP p50 (ms) | HTTP p95 (ms) "
        "| overhead (HTTP p50 − direct p50) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for file in ("small", "large"):
        for row in (r for r in table if r["file"] == labels[file]):
            n = (
                row["calls"]["direct"]
                if row["calls"]["direct"] == row["calls"]["http"]
                else f"{row['calls']['direct']}/{row['calls']['http']}"
            )
            print(
                f"| {row['file']} | {row['label']} | {n} "
                f"| {fmt_ms(row['direct_p50_s'])} | {fmt_ms(row['direct_p95_s'])} | "
                f"{fmt_ms(row['http_p50_s'])} | {fmt_ms(row['http_p95_s'])} | {fmt_overhead(row)} |"
            )
        if file in totals:
            t = totals[file]
            over = t["http"] - t["direct"]
            total_row = {"overhead_s": over, "overhead_ratio": over / t["direct"]}
            print(
                f"| {labels[file]} | **total of the step p50s** | | {fmt_ms(t['direct'])} "
                f"| | {fmt_ms(t['http'])} | | {fmt_overhead(total_row)} |"
            )


def verdicts(table: list[dict], totals: dict, labels: dict[str, str]) -> list[dict]:
    out = []
    large = [
        r for r in table if r["file"] == labels["large"] and r.get("overhead_ratio") is not None
    ]
    if "large" in totals and large:
        t = totals["large"]
        ratio = (t["http"] - t["direct"]) / t["direct"]
        over = [
            f"{r['step']} {r['overhead_ratio'] * 100:+.0f}% / {r['overhead_s'] * 1000:+.1f} ms"
            for r in large
            if r["overhead_ratio"] >= LARGE_MAX_OVERHEAD
        ]
        out.append(
            {
                "target": f"HTTP adds under {LARGE_MAX_OVERHEAD:.0%} on the large file",
                "total_met": ratio < LARGE_MAX_OVERHEAD,
                "total_overhead_ratio": ratio,
                "per_step_met": not over,
                "steps_over": over,
                "line": (
                    f"**HTTP adds under {LARGE_MAX_OVERHEAD:.0%} on the large file**: "
                    "total of step p50s "
                    f"{'yes' if ratio < LARGE_MAX_OVERHEAD else '**NO**'} "
                    f"({ratio * 100:+.1f}%); per step "
                    + ("yes (every step)" if not over else f"**NO** ({', '.join(over)})")
                ),
            }
        )
    small = [r for r in table if r["file"] == labels["small"] and r.get("overhead_s") is not None]
    if small:
        over = [
            f"{r['step']} {r['overhead_s'] * 1000:+.1f} ms"
            for r in small
            if r["overhead_s"] * 1000 >= SMALL_MAX_OVERHEAD_MS
        ]
        worst = max(small, key=lambda r: r["overhead_s"])
        out.append(
            {
                "target": (
                    f"HTTP adds under {SMALL_MAX_OVERHEAD_MS:g} ms per call on the small file"
                ),
                "per_step_met": not over,
                "steps_over": over,
                "worst_step": worst["step"],
                "worst_overhead_ms": worst["overhead_s"] * 1000,
                "line": (
                    f"**HTTP adds under {SMALL_MAX_OVERHEAD_MS:g} ms per call on the small file**: "
                    + (
                        f"yes (worst: {worst['step']} {worst['overhead_s'] * 1000:+.2f} ms)"
                        if not over
                        else f"**NO** ({', '.join(over)})"
                    )
                ),
            }
        )
    return out


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="rows of the large CSV (default 1,000,000)"
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=30,
        help="calls per step on the 240-row example file (default 30)",
    )
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the finally below stops the server
    load_start = os.getloadavg()
    started = time.perf_counter()
    large_csv = ensure_csv(args.rows)
    labels = {
        "small": f"{SAMPLE_CSV.name} (240 rows)",
        "large": f"{large_csv.name} ({args.rows:,} rows)",
    }
    small_counts = {key: args.repeats for key, _ in STEPS}
    large_counts = {
        "create": LARGE_CREATES,
        "suggest": LARGE_CHEAP_CALLS,
        "unique": LARGE_CHEAP_CALLS,
        "validate": LARGE_VALIDATES,
        "errors_page": LARGE_PAGES,
        "patch": LARGE_PATCHES,
        "status": LARGE_CHEAP_CALLS,
        "list": LARGE_CHEAP_CALLS,
    }

    rec = Recorder()
    infos: dict[str, dict] = {}
    harness_error = None
    server = None
    sides: dict[str, Any] = {}
    load_end = None
    with tempfile.TemporaryDirectory(prefix="imports-http-bench-") as folder:
        tmp = Path(folder)
        try:
            server = Server(tmp / "server", tmp / "uvicorn.log")
            (tmp / "server").mkdir()
            api_key = issue_key(server.env)
            t0 = time.perf_counter()
            server.start()
            print(
                f"uvicorn on {server.base_url} (pid {server.process.pid}) "
                f"ready in {time.perf_counter() - t0:.1f} s (not timed)"
            )
            (tmp / "direct").mkdir()
            sides = {"direct": Direct(tmp / "direct"), "http": Http(server.base_url, api_key)}
            warm_up(sides)
            infos["small"] = run_file(
                rec, sides, "small", SAMPLE_CSV, small_counts, patch_value=128.4
            )
            infos["large"] = run_file(
                rec, sides, "large", large_csv, large_counts, patch_value=12.5
            )
        except BaseException:
            harness_error = traceback.format_exc()
            print(f"harness error:\n{harness_error}", file=sys.stderr)
            if server is not None and server.process is not None:
                print(f"uvicorn log tail:\n{server.log_tail()}", file=sys.stderr)
        finally:
            load_end = os.getloadavg()
            for side in sides.values():
                with contextlib.suppress(Exception):
                    side.close()
            if server is not None:
                server_log = server.log_tail(200)
                server.stop()
            else:
                server_log = ""

    table, totals = build_table(rec, labels, infos)
    lines = verdicts(table, totals, labels)
    print()
    print(
        "## imports_pipeline HTTP vs direct latency "
        f"({platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} cores; load average {load_start[0]:.2f} at start, "
        f"{load_end[0]:.2f} at end: other work on the machine skews timings)"
    )
    print()
    print_table(table, totals, labels)
    print()
    for verdict in lines:
        print(verdict["line"])
    for warning in rec.warnings:
        print(f"WARNING: {warning}")
    if rec.errors:
        print(
            f"\n{len(rec.errors)} calls raised; first traceback "
            f"({rec.errors[0]['file']} {rec.errors[0]['step']} {rec.errors[0]['side']}):"
        )
        print(rec.errors[0]["traceback"])
    if harness_error:
        print(f"\nharness ERROR:\n{harness_error}")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "python": platform.python_version(),
                "cpu_count": os.cpu_count(),
                "load_average_at_start": load_start,
                "load_average_at_end": load_end,
                "rows": args.rows,
                "repeats_small": args.repeats,
                "counts": {"small": small_counts, "large": large_counts},
                "targets": {
                    "large_max_overhead_ratio": LARGE_MAX_OVERHEAD,
                    "small_max_overhead_ms": SMALL_MAX_OVERHEAD_MS,
                },
                "table": table,
                "totals_of_p50_s": totals,
                "verdicts": lines,
                "files": infos,
                "samples_s": rec.samples,
                "warnings": rec.warnings,
                "errors": rec.errors,
                "harness_error": harness_error,
                "server_log_tail": server_log,
            },
            indent=2,
            default=str,
        )
    )
    print(f"\nwrote {RESULTS.relative_to(REPO)} (total {time.perf_counter() - started:.1f} s)")
    if harness_error or rec.errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
