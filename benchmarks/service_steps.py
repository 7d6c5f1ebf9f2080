"""The service side: time each use case against a real ImportService (SQLite + file store).

Run as a child process so its peak RSS is its own:

    python benchmarks/service_steps.py CSV XLSX OUT.json

A step that raises is recorded with its traceback and the run goes on with the
steps that do not depend on it.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import KNOWN_MAPPING

TEMPLATE_ID = "logistics_requests"

PAGE_SIZE = 50
PAGE_CALLS = 20
PATCHES = 10
ROWS_PER_PATCH = 10
PATCH_COLUMN = "distance_km"
MAX_SCAN_PAGES = 400
"""Upper bound on untimed errors-only pages read to find rows for the patches."""


def peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class Steps:
    """Records timings, errors and the peak RSS after each step."""

    def __init__(self) -> None:
        self.result: dict = {"steps": {}, "warnings": [], "info": {}}

    def run(self, name: str, action):
        step = self.result["steps"].setdefault(name, {})
        started = time.perf_counter()
        try:
            value = action()
        except Exception:
            step["seconds"] = time.perf_counter() - started
            step["error"] = traceback.format_exc()
            step["peak_rss_kb_after"] = peak_rss_kb()
            print(f"[service] step '{name}' failed:\n{step['error']}", file=sys.stderr)
            return None
        step["seconds"] = time.perf_counter() - started
        step["peak_rss_kb_after"] = peak_rss_kb()
        return value

    def skip(self, name: str, reason: str) -> None:
        self.result["steps"][name] = {"skipped": reason}

    def warn(self, message: str) -> None:
        print(f"[service] WARNING: {message}", file=sys.stderr)
        self.result["warnings"].append(message)


def choose_mapping(steps: Steps, suggested: dict[str, str] | None) -> dict[str, str]:
    if suggested is None:
        steps.warn("no suggested mapping (suggest step failed): validating with the known mapping")
        return dict(KNOWN_MAPPING)
    missing = sorted(set(KNOWN_MAPPING) - set(suggested))
    wrong = {k: v for k, v in suggested.items() if k in KNOWN_MAPPING and KNOWN_MAPPING[k] != v}
    if missing or wrong:
        steps.warn(
            f"suggested mapping is incomplete or wrong (missing: {missing or 'none'}; "
            f"mis-mapped: {wrong or 'none'}): validating with the known mapping instead"
        )
        return dict(KNOWN_MAPPING)
    return dict(suggested)


def spread_pages(pages: int, count: int) -> list[int]:
    """``count`` page numbers spread evenly over 1..pages (repeats only when there are fewer
    pages)."""
    if pages <= 0:
        return []
    if pages <= count:
        return [1 + i % pages for i in range(count)]
    return [1 + round(i * (pages - 1) / (count - 1)) for i in range(count)]


def time_each(steps: Steps, name: str, calls: list) -> list:
    """Time each call on its own; the step's ``seconds`` is the median of the calls that succeeded.

    Returns one value per call, ``None`` for a call that raised.

    A call that raises does not stop the others: the step records how many failed
    and the first traceback, and the report shows the step as an error.
    """
    samples: list[float] = []
    values = []
    failures: list[str] = []
    for call in calls:
        started = time.perf_counter()
        try:
            values.append(call())
        except Exception:
            failures.append(traceback.format_exc())
            values.append(None)
            continue
        samples.append(time.perf_counter() - started)
    step = {
        "seconds": statistics.median(samples) if samples else None,
        "samples": samples,
        "calls": len(calls),
        "peak_rss_kb_after": peak_rss_kb(),
    }
    if failures:
        step["failed_calls"] = len(failures)
        step["error"] = failures[0]
        print(
            f"[service] step '{name}': {len(failures)}/{len(calls)} calls failed; "
            f"first:\n{failures[0]}",
            file=sys.stderr,
        )
    steps.result["steps"][name] = step
    return values


def run(csv_path: Path, xlsx_path: Path | None) -> dict:
    steps = Steps()
    info = steps.result["info"]
    started = time.perf_counter()
    from imports_pipeline.sessions import ImportService
    from imports_pipeline.settings import Settings
    from imports_pipeline.vocabulary import Actor, Correction

    info["import_s"] = time.perf_counter() - started

    with tempfile.TemporaryDirectory(prefix="imports-bench-") as folder:
        tmp = Path(folder)
        started = time.perf_counter()
        service = ImportService.from_settings(Settings(data_dir=tmp))
        actor = Actor(organization_id="bench-org", user_id="bench-user")
        info["setup_s"] = time.perf_counter() - started

        def create_csv():
            with open(csv_path, "rb") as upload:
                return service.create_session(
                    actor, TEMPLATE_ID, "bench.csv", upload, numeric_locale="es_ES"
                )

        created = steps.run("create_session", create_csv)
        if created is not None:
            info["total_rows"] = created.total_rows
            info["source_columns"] = created.source_columns
        import_id = created.import_id if created is not None else None

        suggestion = None
        if import_id:
            suggestion = steps.run(
                "suggest_mapping", lambda: service.suggest_mapping(actor, import_id)
            )
        else:
            steps.skip("suggest_mapping", "create_session failed")
        if suggestion is not None:
            info["suggested_mapping"] = dict(suggestion.mapping)
        mapping = choose_mapping(steps, suggestion.mapping if suggestion is not None else None)
        info["mapping_used"] = mapping

        validated = None
        if import_id:
            validated = steps.run(
                "validate",
                lambda: service.validate(actor, import_id, mapping, page=1, page_size=PAGE_SIZE),
            )
        else:
            steps.skip("validate", "create_session failed")
        validated_state = validated
        if validated is None and import_id and "error" in steps.result["steps"].get("validate", {}):
            # validate may raise after it stored its results (e.g. while rendering the first page):
            # go on with the stored counts so the later steps are still measured.
            try:
                stored = service.get_session(actor, import_id)
            except Exception:
                stored = None
            if stored is not None and stored.status == "validated":
                steps.warn(
                    "validate raised, but the session was stored as validated: "
                    "later steps use the stored session"
                )
                validated_state = stored
        if validated_state is not None:
            info["valid_rows"] = validated_state.valid_rows
            info["error_rows"] = validated_state.error_rows
            info["errors_by_column"] = dict(validated_state.errors_by_column or {})

        if validated_state is not None and validated_state.error_rows:
            pages = -(-validated_state.error_rows // PAGE_SIZE)
            numbers = spread_pages(pages, PAGE_CALLS)
            info["errors_only_pages"] = numbers

            def page_of(number: int):
                return service.rows(
                    actor, import_id, page=number, page_size=PAGE_SIZE, errors_only=True
                )

            pages_seen = [
                v
                for v in time_each(
                    steps, "errors_only_page", [lambda p=p: page_of(p) for p in numbers]
                )
                if v
            ]
            if any(not r.errors for page in pages_seen for r in page.rows):
                steps.warn("errors_only=True returned rows without errors")
            candidates = collect_fixable_rows(steps, page_of, pages_seen, pages)
            patch_rows(steps, service, actor, import_id, candidates, Correction)
        elif validated_state is not None:
            steps.skip("errors_only_page", "validate found no error rows")
            steps.skip("patch_10_rows", "validate found no error rows")
        else:
            steps.skip("errors_only_page", "validate failed")
            steps.skip("patch_10_rows", "validate failed")

        if xlsx_path is not None:

            def create_xlsx():
                with open(xlsx_path, "rb") as upload:
                    return service.create_session(
                        actor, TEMPLATE_ID, "bench.xlsx", upload, numeric_locale="es_ES"
                    )

            created_xlsx = steps.run("xlsx_create_session", create_xlsx)
            if created_xlsx is not None:
                info["xlsx_total_rows"] = created_xlsx.total_rows
        else:
            steps.skip("xlsx_create_session", "no XLSX file")
        service.stores.engine.dispose()

    steps.result["peak_rss_kb"] = peak_rss_kb()
    return steps.result


def collect_fixable_rows(
    steps: Steps, page_of, pages_seen: list, pages: int
) -> tuple[list[int], list[int]]:
    """Error rows to patch: (rows whose only error is PATCH_COLUMN, other error rows).

    Starts from the timed pages; when they hold too few fixable rows, reads more
    errors-only pages (untimed, at most MAX_SCAN_PAGES), skipping pages that fail.
    """
    info = steps.result["info"]
    needed = PATCHES * ROWS_PER_PATCH
    fixable: dict[int, None] = {}
    others: dict[int, None] = {}

    def take(page) -> None:
        for r in page.rows:
            if r.errors and all(e.column == PATCH_COLUMN for e in r.errors):
                fixable.setdefault(r.row_index)
            elif r.row_index not in fixable:
                others.setdefault(r.row_index)

    for page in pages_seen:
        take(page)
    scanned = failed = 0
    number = 0
    while len(fixable) < needed and number < min(pages, MAX_SCAN_PAGES):
        number += 1
        scanned += 1
        try:
            take(page_of(number))
        except Exception:
            failed += 1
    info["patch_candidate_scan"] = {
        "extra_pages_read": scanned,
        "extra_pages_failed": failed,
        "fixable_rows_found": len(fixable),
    }
    return list(fixable), [i for i in others if i not in fixable]


def patch_rows(
    steps: Steps,
    service,
    actor,
    import_id: str,
    candidates: tuple[list[int], list[int]],
    correction_class,
) -> None:
    """PATCHES patches of ROWS_PER_PATCH distinct error rows each; rows whose only error is the
    patched column first.

    Those rows should leave the error list entirely, so ``error_rows`` must drop by
    ROWS_PER_PATCH per patch: a cheap check that the patch really revalidated.
    """
    info = steps.result["info"]
    fixable, others = candidates
    needed = PATCHES * ROWS_PER_PATCH
    chosen = (fixable + others)[:needed]
    info["patch_rows_fixable"] = min(len(fixable), needed)
    if len(fixable) < needed:
        steps.warn(
            f"only {len(fixable)} error rows found whose only error is {PATCH_COLUMN}; "
            f"the other patched rows keep their other errors"
        )
    batches = [chosen[i : i + ROWS_PER_PATCH] for i in range(0, len(chosen), ROWS_PER_PATCH)]
    batches = [b for b in batches if len(b) == ROWS_PER_PATCH]
    if not batches:
        steps.skip("patch_10_rows", f"fewer than {ROWS_PER_PATCH} error rows available")
        return
    results = time_each(
        steps,
        "patch_10_rows",
        [
            lambda b=b: service.patch_rows(
                actor,
                import_id,
                [correction_class(row_index=r, column=PATCH_COLUMN, value=12.5) for r in b],
            )
            for b in batches
        ],
    )
    info["patch_remaining_errors"] = [r.remaining_errors if r else None for r in results]
    for number, outcome in enumerate(results):
        if outcome is None:
            continue
        still = [
            u.row_index
            for u in outcome.updated_rows
            if any(e.column == PATCH_COLUMN for e in u.errors)
        ]
        if still:
            steps.warn(
                f"patch {number + 1}: rows {still} still report a {PATCH_COLUMN} error "
                "after setting it to 12.5"
            )
        value_rows = [u for u in outcome.updated_rows if u.values.get(PATCH_COLUMN) != 12.5]
        if value_rows:
            steps.warn(
                f"patch {number + 1}: {len(value_rows)} updated rows "
                f"do not show {PATCH_COLUMN} = 12.5 "
                f"(e.g. row {value_rows[0].row_index}: {value_rows[0].values.get(PATCH_COLUMN)!r})"
            )
    error_rows_after = [info.get("error_rows")] + [r.error_rows if r else None for r in results]
    info["patch_error_rows_after"] = error_rows_after[1:]
    fixable_set = set(fixable)
    for number, batch in enumerate(batches):
        before, after = error_rows_after[number], error_rows_after[number + 1]
        if (
            before is not None
            and after is not None
            and all(i in fixable_set for i in batch)
            and before - after != ROWS_PER_PATCH
        ):
            steps.warn(
                f"patch {number + 1} fixed {ROWS_PER_PATCH} rows "
                f"whose only error was {PATCH_COLUMN}, but "
                f"error_rows went {before} -> {after} (expected a drop of {ROWS_PER_PATCH})"
            )


def main() -> None:
    csv_path = Path(sys.argv[1])
    xlsx_path = Path(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] != "-" else None
    out = Path(sys.argv[3])
    try:
        result = run(csv_path, xlsx_path)
    except Exception:
        result = {
            "error": traceback.format_exc(),
            "peak_rss_kb": peak_rss_kb(),
            "steps": {},
            "warnings": [],
            "info": {},
        }
        print(f"[service] harness failed:\n{result['error']}", file=sys.stderr)
    out.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
