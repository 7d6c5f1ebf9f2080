"""The same import as ``local_import``, against a remote server through the Python client:
what ``imports-pipeline import --server URL`` runs. Processing is the server's (its Dagster
daemon), so the last step waits for it."""

from __future__ import annotations

from collections.abc import Callable

from imports_pipeline.client import ImportsClient
from imports_pipeline.local_import import (
    ImportOutcome,
    ImportRequest,
    StepDone,
    StepLog,
    StepProgress,
    confident_mapping,
)

PROCESSING_TIMEOUT_SECONDS = 3600.0


def import_file_remotely(
    client: ImportsClient,
    request: ImportRequest,
    on_step: Callable[[StepDone], None] = lambda step: None,
    on_progress: Callable[[StepProgress], None] = lambda progress: None,
) -> ImportOutcome:
    """Create, map, validate, and unless it is a dry run or rows with errors remain (without
    ``ignore_errors``), submit and wait until the server has processed it."""
    steps = StepLog(on_step, on_progress)
    started = steps.begin("read")
    created = client.create_session(
        request.template_id,
        request.file,
        numeric_locale=request.numeric_locale,
        selected_sheet=request.sheet,
    )
    steps.done("read", created.total_rows, started)
    started = steps.begin("validate")
    mapping = dict(request.mapping or {}) or confident_mapping(
        client.suggest_mapping(created.import_id), client.get_template(request.template_id)
    )
    validated = client.validate(created.import_id, mapping, page_size=1)
    steps.done("validate", validated.total_rows, started)
    result = ImportOutcome.validated(validated, mapping, steps.steps)
    if validated.error_rows:
        result.error_report = request.report_dir / f"{request.file.stem}.errors.xlsx"
        client.download_error_report(created.import_id, "xlsx", to=result.error_report)
    if request.dry_run or (validated.error_rows and not request.ignore_errors):
        return result
    started = steps.begin("process")
    client.submit(created.import_id, ignore_errors=request.ignore_errors, action=request.action)
    status = client.wait_until_processed(created.import_id, timeout=PROCESSING_TIMEOUT_SECONDS)
    steps.done("process", validated.valid_rows, started)
    result.submitted = True
    result.stats = status.stats.model_dump() if status.stats else {}
    return result
