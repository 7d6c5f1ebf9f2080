"""The ``imports-pipeline`` command: import, sessions, status, rollback, templates, demo, keys,
serve, up."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from imports_pipeline.cli import inspecting
from imports_pipeline.errors import DomainError
from imports_pipeline.settings import Settings

if TYPE_CHECKING:
    from imports_pipeline.store.api_keys import ApiKeyStore

SAMPLE_FILE = Path(__file__).parents[1] / "samples" / "logistics_march.csv"


def _print(title: str, payload: object) -> None:
    print(f"\n== {title}")
    print(json.dumps(payload, indent=2, ensure_ascii=False, default=str))


def run_demo(file: Path, template_id: str, numeric_locale: str | None) -> None:
    """Walk one file through the whole interactive flow, printing each step, on a temporary data
    folder of its own: its corrections are made up to show a patch, so nothing it does may reach
    the installation's sessions or destination."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="imports-demo-") as folder:
        print(f"demo: on its own temporary data folder {folder}; ./data is not touched")
        _demo_flow(Settings(data_dir=Path(folder)), file, template_id, numeric_locale)


def _demo_flow(
    settings: Settings, file: Path, template_id: str, numeric_locale: str | None
) -> None:
    from imports_pipeline.sessions import ImportService
    from imports_pipeline.vocabulary import Actor, Correction

    service = ImportService.from_settings(settings)
    actor = Actor(organization_id="demo-org", user_id="demo-user")
    with open(file, "rb") as upload:
        created = service.create_session(
            actor, template_id, file.name, upload, numeric_locale=numeric_locale
        )
    _print("1. create session", created.model_dump())
    suggestion = service.suggest_mapping(actor, created.import_id)
    _print(
        "2. suggested mapping",
        {"mapping": suggestion.mapping, "unmapped_required": suggestion.unmapped_required},
    )
    values = service.unique_values(actor, created.import_id, suggestion.mapping, limit=5)
    _print("3. unique values (top 5 per category column)", values.model_dump()["columns"])
    result = service.validate(actor, created.import_id, suggestion.mapping, page_size=3)
    _print(
        "4. validate",
        result.model_dump(
            include={
                "status",
                "total_rows",
                "valid_rows",
                "error_rows",
                "errors_by_column",
                "detected",
            }
        ),
    )
    errors = service.rows(actor, created.import_id, errors_only=True, page_size=5)
    _print("5. rows with errors", [r.model_dump() for r in errors.rows])
    fixes = [
        Correction(r.row_index, e.column, 128.4 if e.column == "distance_km" else None)
        for r in errors.rows
        for e in r.errors
    ]
    if fixes:
        patched = service.patch_rows(actor, created.import_id, fixes)
        _print(
            "6. patch", patched.model_dump(include={"valid_rows", "error_rows", "remaining_errors"})
        )
    submitted = service.submit(actor, created.import_id, ignore_errors=True)
    _print("7. submit", submitted.model_dump())
    _print("8. status", service.get_session(actor, created.import_id).model_dump(mode="json"))


IMPORT_EXAMPLE = """example:
  imports-pipeline import trips.csv --template logistics_requests --locale es_ES
  imports-pipeline import trips.xlsx --template logistics_requests --sheet Marzo \\
      --mapping mapping.json --ignore-errors --json

exit status: 0 every row imported (or, with --dry-run, every row valid); 1 rows with errors
remain (the error report's path is printed); 2 bad input or usage.

  imports-pipeline import trips.csv --template logistics_requests \\
      --server https://imports.example.com --org acme --api-key ipk_…   # through the API"""


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _api_keys(settings: Settings) -> ApiKeyStore:
    from imports_pipeline.store.api_keys import ApiKeyStore
    from imports_pipeline.store.database import create_database_engine, upgrade_schema

    engine = create_database_engine(settings.session_database_url)
    upgrade_schema(engine)
    return ApiKeyStore(engine)


def run_keys(settings: Settings, args: argparse.Namespace) -> None:
    """Issue, list and revoke API keys in the configured database (``IMPORTS_DATABASE_URL`` or the
    data folder)."""
    keys = _api_keys(settings)
    if args.keys_command == "create":
        issued = keys.create(
            args.org,
            user_id=args.user,
            name=args.name,
            full_name=args.full_name,
            email=args.email,
        )
        owner = f"organization {issued.record.organization_id}" + (
            f", user {issued.record.user_id}" if issued.record.user_id else ""
        )
        print(f"created API key {issued.record.id} for {owner}")
        print("the key is shown once and only its hash is stored; send it as x-api-key:")
        print(issued.secret)
    elif args.keys_command == "list":
        print("id\torganization_id\tuser_id\tname\tprefix\tcreated_at\trevoked_at")
        for record in keys.list(args.org):
            fields = [
                record.id,
                record.organization_id,
                record.user_id,
                record.name,
                record.key_prefix + "…",
                record.created_at.isoformat(),
                record.revoked_at.isoformat() if record.revoked_at else None,
            ]
            print("\t".join("-" if value is None else value for value in fields))
    elif args.keys_command == "revoke":
        record = keys.revoke(args.key_id)
        revoked_at = record.revoked_at.isoformat() if record.revoked_at else "-"
        print(
            f"revoked API key {record.id} (organization {record.organization_id}) at {revoked_at}"
        )


def run_server(settings: Settings, host: str, port: int, workers: int = 1) -> int:
    """The API in this process, or in ``workers`` processes on the port (``cli/workers.py``):
    one process runs Python on one core at a time, so a busy server on a bigger box wants
    several."""
    import uvicorn

    from imports_pipeline.api.app import serving_app
    from imports_pipeline.cli.quickstart import KEEP_ALIVE_SECONDS
    from imports_pipeline.cli.workers import serve_with_workers
    from imports_pipeline.sessions import ImportService

    # Opening the stores brings the schema up to date and makes the signing key: here, once,
    # so the workers never race to migrate or to write the key file.
    service = ImportService.from_settings(settings)
    if workers == 1:
        uvicorn.run(
            serving_app(service), host=host, port=port, timeout_keep_alive=KEEP_ALIVE_SECONDS
        )
        return 0
    service.stores.engine.dispose()
    # Each worker reads the same settings from the environment.
    return serve_with_workers(host, port, workers, KEEP_ALIVE_SECONDS)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="imports-pipeline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="run one file through the whole import flow on the embedded defaults"
    )
    demo.add_argument(
        "file", nargs="?", type=Path, default=SAMPLE_FILE, help="default: the bundled example"
    )
    demo.add_argument("--template", default="logistics_requests", help="the template id")
    demo.add_argument("--numeric-locale", default="es_ES", help="how numbers are written")
    importing = commands.add_parser(
        "import",
        help="import a file into this installation's destination, processing included",
        epilog=IMPORT_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    importing.add_argument("file", type=Path, help="CSV, TSV, TXT, XLSX, XLSM, XLS or ODS")
    importing.add_argument("--template", required=True, help="the template id (see `templates`)")
    importing.add_argument("--org", default="local", help="the organization it is imported for")
    importing.add_argument("--locale", help="how numbers are written, e.g. es_ES (1.234,5)")
    importing.add_argument("--sheet", help="the workbook sheet; the first with data by default")
    importing.add_argument(
        "--mapping", type=Path, help="JSON {template column: source column}; else the suggestion"
    )
    importing.add_argument("--action", choices=("merge", "overwrite", "delete"), default="merge")
    importing.add_argument(
        "--ignore-errors", action="store_true", help="import the valid rows, leave the rest out"
    )
    importing.add_argument(
        "--dry-run", action="store_true", help="read, map and validate only: nothing is written"
    )
    importing.add_argument("--json", action="store_true", help="the result as JSON on stdout")
    importing.add_argument(
        "--server", help="run it on a remote server (its URL) through the API instead"
    )
    importing.add_argument("--api-key", help="with --server: a key of the organization --org")
    inspecting.add_commands(commands)
    keys = commands.add_parser("keys", help="manage API keys").add_subparsers(
        dest="keys_command", required=True
    )
    create = keys.add_parser(
        "create", help="issue a key; the key itself is the last line of the output"
    )
    create.add_argument("--org", required=True, help="the organization the key belongs to")
    create.add_argument("--user", help="the user the key acts as (sessions record it as user_id)")
    create.add_argument("--name", help="a note to tell keys apart")
    create.add_argument(
        "--full-name", help="the person the key belongs to (imports show it as imported_by)"
    )
    create.add_argument("--email", help="that person's e-mail (imported_by.email)")
    listing = keys.add_parser("list", help="list keys (never the secrets)")
    listing.add_argument("--org", help="only this organization's keys")
    revoke = keys.add_parser("revoke", help="revoke a key: it stops working at once")
    revoke.add_argument("key_id")
    for name, text in (
        ("serve", "run the HTTP API on the embedded defaults"),
        ("up", "the API plus `dagster dev`, a demo key and a sample dropped into the inbox"),
    ):
        server = commands.add_parser(name, help=text)
        server.add_argument("--host", default="127.0.0.1")
        server.add_argument("--port", type=int, default=8000)
        if name == "serve":
            server.add_argument(
                "--workers",
                type=_positive,
                default=1,
                help="API processes sharing the port (one per core on a busy server)",
            )
        if name == "up":
            server.add_argument(
                "--no-dagster", dest="with_dagster", action="store_false", help="start the API only"
            )
            server.add_argument("--dagster-port", type=int, default=3000, help="the Dagster UI's")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_environment()
        if args.command == "import":
            from imports_pipeline.cli.importing import run_import

            return run_import(settings, args)
        if args.command == "demo":
            run_demo(args.file, args.template, args.numeric_locale)
        elif args.command in ("sessions", "status", "rollback", "templates"):
            return inspecting.run(settings, args)
        elif args.command == "keys":
            run_keys(settings, args)
        elif args.command == "serve":
            return run_server(settings, args.host, args.port, args.workers)
        elif args.command == "up":
            from imports_pipeline.cli.quickstart import run_quickstart

            key = _api_keys(settings).create("demo-org", user_id="demo-user", name="quickstart")
            run_quickstart(
                settings, args.host, args.port, args.dagster_port, key.secret, args.with_dagster
            )
    except DomainError as error:
        print(f"error ({error.code}): {error}", file=sys.stderr)
        return 2 if args.command in ("import", "sessions", "status", "rollback", "templates") else 1
    except (OSError, json.JSONDecodeError) as error:
        if args.command != "import":
            raise
        print(f"error: {error}", file=sys.stderr)  # a missing file, an unreadable mapping
        return 2
    return 0
