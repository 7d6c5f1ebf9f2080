"""What schemathesis cannot read from a schema: the rules that depend on data the server holds.

JSON Schema can say that ``upload_file`` is a file part and that a mapping is an object of
strings; it cannot say that the bytes must hold a header and a data row, that a mapping must
name this session's columns and its template's required ones, or that an Idempotency-Key is
new for each new request. A schema-valid request that breaks one of those is rightly refused
(422 ``EMPTY_FILE``, ``INVALID_MAPPING``, ``IDEMPOTENCY_KEY_REUSED``), and the
``positive_data_acceptance`` check would report it. The schemathesis documentation's answer to
such runtime rules is to teach the generator, not to widen the check, so every *positive* case
is brought within them here:

- a create's file is a real CSV with the template's column labels, built around the value
  schemathesis generated (its quotes, delimiters and unicode still reach the parser inside a
  quoted cell);
- a correction names one of the session's rows and one of its template's columns;
- a mapping is what ``mapping/suggest`` proposes for that session, and a value mapping keeps
  the generated raw values under the template's category columns;
- an Idempotency-Key is made unique per request.

Negative cases are left exactly as generated. The refusals themselves have tests of their own
(engine/test_reading.py, test_sessions.py, api/test_idempotency.py).

Loaded with ``SCHEMATHESIS_HOOKS=imports_pipeline_tests.end_to_end.schemathesis_hooks``; the
live server and a key come in ``HOOKS_API_URL``, ``HOOKS_API_KEY``, ``HOOKS_ORGANIZATION``.
"""

from __future__ import annotations

import csv
import io
import os
import uuid
from functools import cache
from typing import Any

import httpx
import schemathesis

from imports_pipeline.templates.catalog import TemplateCatalog

CREATE = ("POST", "/v2/imports/sessions")
ROWS = "/v2/imports/{import_id}/rows"
MAPPING_BODIES = {"/v2/imports/{import_id}/unique-values", "/v2/imports/{import_id}/validate"}


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case) -> schemathesis.Case:
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return case
    headers = case.headers or {}
    if "Idempotency-Key" in headers:
        case.headers = {**headers, "Idempotency-Key": str(uuid.uuid4())}
    body = case.body if isinstance(case.body, dict) else None
    if body is None:
        return case
    if (case.method.upper(), case.path) == CREATE and _is_text(body.get("upload_file")):
        body["upload_file"] = table_for(str(body.get("template_id")), body["upload_file"])
    elif case.path == ROWS and isinstance(body.get("corrections"), list):
        status = _status(str(case.path_parameters.get("import_id")))
        rows = status.get("total_rows") or 1
        keys = [c["key"] for c in _template(status.get("template_id", "")).get("columns", [])]
        for correction in body["corrections"]:
            if isinstance(correction, dict) and isinstance(correction.get("row_index"), int):
                correction["row_index"] %= rows
            if isinstance(correction, dict) and keys and correction.get("column") not in keys:
                correction["column"] = keys[len(str(correction.get("column"))) % len(keys)]
    elif case.path in MAPPING_BODIES:
        import_id = str(case.path_parameters.get("import_id"))
        if isinstance(body.get("mapping"), dict):
            body["mapping"] = suggested_mapping(import_id) or body["mapping"]
        if isinstance(body.get("value_mapping"), dict):
            body["value_mapping"] = within_categories(import_id, body["value_mapping"])
    return case


@schemathesis.hook
def before_add_examples(
    context: schemathesis.HookContext, examples: list[schemathesis.Case]
) -> None:
    """The examples phase builds its cases from the schema's examples, past the other hooks."""
    for index, case in enumerate(examples):
        examples[index] = map_case(context, case)


@schemathesis.hook
def map_body(context: schemathesis.HookContext, body: Any) -> Any:
    """The same file rule where bodies are drawn from strategies (fuzzing, stateful). Applied in
    both modes: it only touches a file part that is already text, so a case made negative by its
    other fields, or by a file part of the wrong type, stays negative."""
    operation = context.operation
    if (
        operation is not None
        and (operation.method.upper(), operation.path) == CREATE
        and isinstance(body, dict)
        and _is_text(body.get("upload_file"))
    ):
        return {**body, "upload_file": table_for(str(body.get("template_id")), body["upload_file"])}
    return body


def table_for(template_id: str, generated: object) -> bytes:
    """Two rows under the template's labels (any labels when the template does not exist, which
    the server answers with 404); the generated value is the first row's last cell."""
    raw = getattr(generated, "data", generated)
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    labels = [column["label"] for column in _template(template_id).get("columns", [])]
    labels = labels or ["Reference", "Notes"]
    # NUL is refused as binary by design (a text export has none); every other character stays.
    first = ["x"] * (len(labels) - 1) + [text.replace("\x00", "")]
    sink = io.StringIO(newline="")
    csv.writer(sink, delimiter=";").writerows([labels, first, ["y"] * len(labels)])
    return sink.getvalue().encode("utf-8")


def suggested_mapping(import_id: str) -> dict[str, str] | None:
    if not import_id.isprintable() or "/" in import_id:
        return None
    answer = _api().post(f"/v2/imports/{import_id}/mapping/suggest", json={})
    return answer.json().get("mapping") if answer.status_code == 200 else None


def within_categories(import_id: str, value_mapping: dict[str, Any]) -> dict[str, Any]:
    """The generated raw values and options, kept under the template's category columns."""
    status = _status(import_id)
    if not status:
        return value_mapping
    columns = _template(status["template_id"]).get("columns", [])
    categories = [column["key"] for column in columns if column["type"] == "category"]
    values = [v for v in value_mapping.values() if isinstance(v, dict)]
    return {key: values[index] for index, key in enumerate(categories[: len(values)])}


def _is_text(value: object) -> bool:
    return isinstance(value, str | bytes)


def _status(import_id: str) -> dict[str, Any]:
    if not import_id.isprintable() or "/" in import_id:
        return {}
    answer = _api().get(f"/v2/imports/{import_id}/status")
    return answer.json() if answer.status_code == 200 else {}


def _template(template_id: str) -> dict[str, Any]:
    """The built-in template of that id as the API shows it; {} for any other id."""
    return _builtin_templates().get(template_id, {})


@cache
def _builtin_templates() -> dict[str, dict[str, Any]]:
    return {t.id: t.model_dump(mode="json") for t in TemplateCatalog().list()}


@cache
def _api() -> httpx.Client:
    return httpx.Client(
        base_url=os.environ["HOOKS_API_URL"],
        headers={
            "x-api-key": os.environ["HOOKS_API_KEY"],
            "x-organization-id": os.environ["HOOKS_ORGANIZATION"],
        },
        timeout=60,
    )
