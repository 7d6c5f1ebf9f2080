"""``imports-pipeline import``: the summary a person reads, or JSON, and the exit status."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from imports_pipeline.cli.progress import ProgressDisplay
from imports_pipeline.client.errors import ImportsApiError, ImportsClientError
from imports_pipeline.errors import DomainError
from imports_pipeline.local_import import (
    ImportOutcome,
    ImportRequest,
    MappingNeeded,
    import_file,
)
from imports_pipeline.sessions import ImportService
from imports_pipeline.settings import Settings


def run_import(settings: Settings, args: argparse.Namespace) -> int:
    """``import``: the whole flow on this installation; a summary for people or JSON."""

    request = ImportRequest(
        file=args.file,
        template_id=args.template,
        organization_id=args.org,
        numeric_locale=args.locale,
        sheet=args.sheet,
        mapping=read_mapping(args.mapping) if args.mapping else None,
        action=args.action,
        ignore_errors=args.ignore_errors,
        dry_run=args.dry_run,
    )
    # With --json, stdout is the JSON alone: progress goes to stderr.
    display = ProgressDisplay(sys.stderr if args.json else sys.stdout)
    try:
        with display:
            done = run_where_asked(settings, args, request, display)
    except ImportsApiError as refused:
        print(f"error ({refused.code}): {refused.detail}", file=sys.stderr)
        return 2 if refused.status_code < 500 else 1
    except ImportsClientError as unreachable:  # no answer, or processing never settled
        print(f"error: {unreachable}", file=sys.stderr)
        return 2
    except MappingNeeded as needed:
        draft = args.file.with_name(f"{args.file.stem}.mapping.json")
        draft.write_text(json.dumps(needed.context["suggested"], indent=2, ensure_ascii=False))
        print(
            f"error: {needed.message}.\nThe suggestion is in {draft}: set the source column of"
            f" each of those, then run again with --mapping {draft}",
            file=sys.stderr,
        )
        return 2
    if args.json:
        print(json.dumps(dataclasses.asdict(done), default=str, indent=2))
    else:
        by_column = ", ".join(f"{c} {n}" for c, n in done.errors_by_column.items()) or "-"
        written = "/".join(str(done.stats.get(k, 0)) for k in STAT_KEYS) if done.submitted else "-"
        for label, value in (
            ("import", done.import_id),
            ("rows", done.total_rows),
            ("valid", done.valid_rows),
            ("with errors", done.error_rows),
            ("errors by column", by_column),
            ("created/updated/unchanged/deleted", written),
            ("error report", done.error_report or "-"),
        ):
            print(f"  {label:<34} {value}")
        if not done.submitted and not args.dry_run:
            print("nothing was imported: fix the rows or pass --ignore-errors", file=sys.stderr)
    return 1 if done.error_rows else 0


STAT_KEYS = ("created", "updated", "unchanged", "deleted")


def run_where_asked(
    settings: Settings,
    args: argparse.Namespace,
    request: ImportRequest,
    display: ProgressDisplay,
) -> ImportOutcome:
    """This installation, or with ``--server`` a remote one through the Python client."""
    if args.server is None:
        service = ImportService.from_settings(settings)
        return import_file(service, request, display.step_done, display.progress)
    from imports_pipeline.client import ImportsClient
    from imports_pipeline.remote_import import import_file_remotely

    if not args.api_key:
        raise UsageError(
            "--server needs --api-key (a key made with `imports-pipeline keys create`)"
        )
    with ImportsClient(args.server, args.api_key, args.org) as client:
        return import_file_remotely(client, request, display.step_done, display.progress)


class UsageError(DomainError):
    code = "USAGE"


def read_mapping(path: Path) -> dict[str, str]:
    """``{template column: source column}``; a null source (as in the draft written when a
    mapping is needed) leaves that column unmapped."""
    mapping = json.loads(path.read_text())
    if not isinstance(mapping, dict):
        raise json.JSONDecodeError("a mapping is a JSON object", path.read_text(), 0)
    return {str(target): str(source) for target, source in mapping.items() if source}
