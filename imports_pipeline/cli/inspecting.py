"""The commands that look at this installation and act on one import: ``sessions list|show``,
``status``, ``rollback``, ``templates show|check``. Each prints a table for people, or the
API's JSON with ``--json``, and exits 0, or 2 for bad input."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from imports_pipeline.errors import DomainError
from imports_pipeline.settings import Settings
from imports_pipeline.vocabulary import Actor, SessionStatus


class UnknownStatusError(DomainError):
    code = "UNKNOWN_STATUS"


EXAMPLES = {
    "sessions": "example:\n  imports-pipeline sessions list --org local --status validated\n"
    "  imports-pipeline sessions show 5dcf5806-27ec-460b-9776-4fb6b0ce6cd6 --org local",
    "status": "example:\n  imports-pipeline status 5dcf5806-27ec-460b-9776-4fb6b0ce6cd6",
    "rollback": "example:\n  imports-pipeline rollback 5dcf5806-27ec-460b-9776-4fb6b0ce6cd6",
    "templates": "example:\n  imports-pipeline templates show logistics_requests\n"
    "  imports-pipeline templates check my_template.yaml",
}


def add_commands(commands: Any) -> None:
    """The parsers, built without importing the service (``--help`` stays instant)."""

    def parser(name: str, help_text: str) -> argparse.ArgumentParser:
        made: argparse.ArgumentParser = commands.add_parser(
            name,
            help=help_text,
            epilog=EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        return made

    def org_and_json(command: argparse.ArgumentParser) -> None:
        command.add_argument("--org", default="local", help="the organization (default: local)")
        command.add_argument("--json", action="store_true", help="the API's JSON instead")

    sessions = parser("sessions", "list imports or show one").add_subparsers(
        dest="sessions_command", required=True
    )
    listing = sessions.add_parser("list", help="newest first")
    listing.add_argument("--status", help="only these statuses, e.g. validated,submitted")
    listing.add_argument("--size", type=int, default=20, help="how many (at most 100)")
    org_and_json(listing)
    show = sessions.add_parser("show", help="one import's session object")
    show.add_argument("import_id")
    org_and_json(show)
    for name, text in (
        ("status", "one import's processing: its phases and what they did"),
        ("rollback", "put the destination back as it was before this import"),
    ):
        command = parser(name, text)
        command.add_argument("import_id")
        org_and_json(command)
    templates = parser("templates", "list templates, show one, check a file")
    which = templates.add_subparsers(dest="templates_command")
    which.add_parser("list", help="every template (the default)")
    which.add_parser("show", help="a template's columns as a table").add_argument("template_id")
    which.add_parser("check", help="every problem of a YAML template, with its line").add_argument(
        "file", type=Path
    )


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "templates":
        return run_templates(settings, args)
    from imports_pipeline.processing import rollback_for
    from imports_pipeline.sessions import ImportService

    service = ImportService.from_settings(settings)
    actor = Actor(organization_id=args.org, user_id="cli")
    if args.command == "sessions" and args.sessions_command == "list":
        try:
            statuses = [SessionStatus(s) for s in (args.status or "").split(",") if s]
        except ValueError:
            raise UnknownStatusError(
                f"--status {args.status!r}: use {', '.join(s.value for s in SessionStatus)}"
            ) from None
        page = service.list_sessions(actor, statuses or None, size=args.size)
        rows = [
            [s.id, s.status, s.template_id, s.file_name, s.total_rows, s.error_rows, s.created_at]
            for s in page.items
        ]
        header = ["id", "status", "template", "file", "rows", "errors", "created_at"]
        return emit(args, page.model_dump(mode="json"), header, rows)
    if args.command == "sessions":
        session = service.get_session(actor, args.import_id).model_dump(mode="json")
        return emit(args, session, ["field", "value"], list(session.items()))
    if args.command == "status":
        status = service.status(actor, args.import_id).model_dump(mode="json")
        phases = [
            [p["phase"], p["status"], p.get("rows_in"), p.get("rows_out")]
            for p in status.get("phases") or []
        ]
        print(f"{status['id']}: {status['status']}, processing {status['processing_status']}")
        return emit(args, status, ["phase", "status", "rows in", "rows out"], phases)
    result = rollback_for(actor, service, service.stores.destination, args.import_id)
    done = result.model_dump(mode="json")
    return emit(args, done, ["field", "value"], list(done.items()))


def run_templates(settings: Settings, args: argparse.Namespace) -> int:
    from imports_pipeline.templates.catalog import TemplateCatalog
    from imports_pipeline.templates.checking import check_template_file

    if args.templates_command == "check":
        problems = check_template_file(args.file)
        for problem in problems:
            where = f"{args.file}:{problem.line}" if problem.line else str(args.file)
            print(f"{where}: {problem.message}")
        if not problems:
            print(f"{args.file}: no problems")
        return 2 if problems else 0
    catalog = TemplateCatalog(settings.templates_dir)
    if args.templates_command == "show":
        template = catalog.get(args.template_id)
        print(f"{template.id}: {template.name} (key: {', '.join(template.key_columns) or '-'})")
        rows = [
            [
                c.key,
                c.label,
                c.type.value,
                "yes" if c.required else "",
                options_text([o.value for o in catalog.options_for(c)]),
            ]
            for c in template.columns
        ]
        return table(["column", "label", "type", "required", "options"], rows)
    for template in catalog.list():
        print(f"{template.id}\t{template.name}\t{', '.join(template.column_keys)}")
    return 0


def options_text(values: list[str], width: int = 50) -> str:
    shown = ", ".join(values)
    return (
        shown if len(shown) <= width else f"{shown[:width].rsplit(', ', 1)[0]}, … ({len(values)})"
    )


def emit(args: argparse.Namespace, payload: object, header: list[str], rows: list[Any]) -> int:
    if args.json:
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0
    return table(header, rows)


def table(header: list[str], rows: list[Any]) -> int:
    cells = [[("-" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(header)]
    for row in [header, *cells]:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    return 0
