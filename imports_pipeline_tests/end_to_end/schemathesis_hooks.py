"""What schemathesis cannot read from a schema: the rules that depend on data the server holds.

JSON Schema can say that ``upload_file`` is a file part and that a mapping is an object of
strings; it cannot say that the bytes must hold a header and a data row, that a mapping must
name this session's columns and its template's required ones, or that an Idempotency-Key is
new for each new request. A schema-valid request that breaks one of those is rightly refused
(422 ``EMPTY_FILE``, ``INVALID_MAPPING``, ``IDEMPOTENCY_KEY_REUSED``), and the
``positive_data_acceptance`` check would report it. The schemathesis documentation's answer to
such runtime rules is to teach the generator, not to widen the check, so every *positive* case
is brought within them here:

- a create's file is a real CSV with every built-in template's column labels, built around the value
  schemathesis generated (its quotes, delimiters and unicode still reach the parser inside a
  quoted cell);
- a correction names one of the session's rows and one of its template's columns;
- a mapping is what ``mapping/suggest`` proposes for that session, each column left out given
  its best candidate, and a value mapping keeps
  the generated raw values under the template's category columns;
- an Idempotency-Key is made unique per request.

The key and organization are set by an auth provider, not by ``st run --header``: schemathesis
leaves a case's auth alone when that case negates a security header, so a missing or broken
``x-organization-id`` reaches the server as generated. A ``--header`` would overwrite it with
the valid value, and ``negative_data_rejection`` would then report a valid request accepted.

Negative cases are left exactly as generated. The refusals themselves have tests of their own
(engine/test_reading.py, test_sessions.py, api/test_idempotency.py).

Loaded with ``SCHEMATHESIS_HOOKS=imports_pipeline_tests.end_to_end.schemathesis_hooks``; the
live server and a key come in ``HOOKS_API_URL``, ``HOOKS_API_KEY``, ``HOOKS_ORGANIZATION``.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import uuid
from functools import cache
from typing import Any

import httpx
import schemathesis

from imports_pipeline.templates.catalog import TemplateCatalog

CREATE = ("POST", "/v2/imports/sessions")
MAX_KEY_LENGTH = 255  # the Idempotency-Key header's maxLength
ROWS = "/v2/imports/{import_id}/rows"
MAPPING_BODIES = {"/v2/imports/{import_id}/unique-values", "/v2/imports/{import_id}/validate"}


@schemathesis.auth()
class KeyAndOrganization:
    """The key and its organization on every case that does not negate one of them."""

    def get(self, case: schemathesis.Case, context: Any) -> tuple[str, str]:
        return os.environ["HOOKS_API_KEY"], os.environ["HOOKS_ORGANIZATION"]

    def set(self, case: schemathesis.Case, data: tuple[str, str], context: Any) -> None:
        key, organization = data
        # The key is the credential: a generated bearer beside it is left out, since the
        # coverage phase draws "Bearer " with no token as a *positive* value, then counts the
        # case negative by that header once auth is set, although the server never sees it.
        headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        case.headers = {**headers, "x-api-key": key, "x-organization-id": organization}


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case) -> schemathesis.Case:
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return case
    headers = case.headers or {}
    # Only a key that is valid already: a too long or empty one is how the case may be negative.
    if 1 <= len(headers.get("Idempotency-Key") or "") <= MAX_KEY_LENGTH:
        case.headers = {**headers, "Idempotency-Key": str(uuid.uuid4())}
    if isinstance(case.body, dict):
        import_id = str(case.path_parameters.get("import_id"))
        case.body = within_stored_data(case.method, case.path, import_id, case.body)
    return case


@schemathesis.hook
def before_add_examples(
    context: schemathesis.HookContext, examples: list[schemathesis.Case]
) -> None:
    """The examples phase builds its cases from the schema's examples, past the other hooks."""
    for index, case in enumerate(examples):
        examples[index] = map_case(context, case)


_drawn_import_id: list[str] = [""]
"""The import id of the case being drawn. The fuzzing phase applies no case hook, only the
component ones, and draws the path before the body (schemathesis'
``specs/openapi/_hypothesis.py``: "Drawn in this order: path, headers, cookies, query", then the
body); ``map_body`` sees no path, so ``map_path_parameters`` leaves the id here. One worker."""


@schemathesis.hook
def map_path_parameters(context: schemathesis.HookContext, path_parameters: Any) -> Any:
    found = path_parameters.get("import_id") if isinstance(path_parameters, dict) else None
    _drawn_import_id[0] = str(found or "")
    return path_parameters


@schemathesis.hook
def map_body(context: schemathesis.HookContext, body: Any) -> Any:
    """The same rules where bodies are drawn from strategies (fuzzing, stateful). Applied in
    both modes, so each rule only touches a part that is already schema-valid (a text file part,
    a non-negative row index, a mapping of texts): a case made negative elsewhere stays negative."""
    operation = context.operation
    if operation is None:
        return body
    # A multipart body whose parts may each take one of several media types comes wrapped with
    # the ones drawn (schemathesis' ``FormBodyWithContentTypes``): the form is inside.
    form = getattr(body, "body", None)
    if isinstance(form, dict) and isinstance(getattr(body, "content_types", None), dict):
        fixed = within_stored_data(operation.method, operation.path, _drawn_import_id[0], form)
        types = dict(body.content_types)
        if fixed.get("upload_file") is not form.get("upload_file"):
            types["upload_file"] = "text/csv"  # the bytes are a CSV now, whatever was drawn
        return dataclasses.replace(body, body=fixed, content_types=types)
    if not isinstance(body, dict):
        return body
    return within_stored_data(operation.method, operation.path, _drawn_import_id[0], body)


def within_stored_data(method: str, path: str, import_id: str, body: dict[str, Any]) -> Any:
    """``body`` brought within the rules that depend on stored data, where it is valid already."""
    body = dict(body)
    upload = body.get("upload_file")
    if (method.upper(), path) == CREATE and _is_text(upload) and not _built(upload):
        body["upload_file"] = table_for(upload)
        header_row = body.get("header_row")
        if isinstance(header_row, int) and not isinstance(header_row, bool) and header_row >= 0:
            # A row of the table with a data row below it (the last line as header leaves none).
            body["header_row"] = header_row % (TABLE_ROWS - 1)
    elif path == ROWS and isinstance(body.get("corrections"), list):
        body["corrections"] = [on_stored_rows(import_id, c) for c in body["corrections"]]
    elif path in MAPPING_BODIES:
        if _texts(body.get("mapping")):
            body["mapping"] = suggested_mapping(import_id) or body["mapping"]
        value_mapping = body.get("value_mapping")
        if isinstance(value_mapping, dict) and all(map(_texts, value_mapping.values())):
            body["value_mapping"] = within_categories(import_id, value_mapping)
    return body


def on_stored_rows(import_id: str, correction: Any) -> Any:
    """A correction naming one of the session's rows and one of its template's columns."""
    if not isinstance(correction, dict):
        return correction
    status = _status(import_id)
    rows = status.get("total_rows") or 1
    keys = [c["key"] for c in _template(status.get("template_id", "")).get("columns", [])]
    row_index = correction.get("row_index")
    fixed = dict(correction)
    # JSON Schema's integer includes 3.0; a non-negative one is valid whatever the session.
    whole = isinstance(row_index, int | float) and not isinstance(row_index, bool)
    if whole and float(row_index).is_integer() and row_index >= 0:
        fixed["row_index"] = int(row_index) % rows
    if keys and isinstance(correction.get("column"), str) and correction["column"] not in keys:
        fixed["column"] = keys[len(correction["column"]) % len(keys)]
    return fixed


TABLE_ROWS = 3
"""The lines of ``table_for``'s CSV: the labels and two rows."""


def _text_of(upload: object) -> str:
    """A drawn file part as text, whether schemathesis drew it as str, bytes or a wrapper."""
    raw = getattr(upload, "data", upload)
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _built(upload: object) -> bool:
    """Whether ``upload`` is a table this module made: a stateful step can pass a body through
    the hooks twice, and a table wrapped in another no longer has three lines."""
    return _text_of(upload).startswith(";".join(_every_label()) + "\r\n")


def table_for(generated: object) -> bytes | str:
    """Two rows under the labels of every built-in template, the generated value the first row's
    last cell. Not the named template's labels alone: in the stateful phase a link fills
    ``template_id`` after the body is drawn, so the session's template is not known here, and
    with every label its required columns can be mapped whichever it is."""
    text = _text_of(generated)
    labels = _every_label()
    # NUL is refused as binary by design (a text export has none); every other character stays.
    first = ["x"] * (len(labels) - 1) + [text.replace("\x00", "")]
    sink = io.StringIO(newline="")
    csv.writer(sink, delimiter=";").writerows([labels, first, ["y"] * len(labels)])
    # Of the type drawn: schemathesis checks the case against the schema again after the hooks,
    # and a text part drawn as str but returned as bytes would then count as a negative case.
    return sink.getvalue() if isinstance(generated, str) else sink.getvalue().encode("utf-8")


def suggested_mapping(import_id: str) -> dict[str, str] | None:
    """What ``mapping/suggest`` proposes, completed with each unmapped column's best candidate:
    the hooks' files hold every label over values such as "x", which rightly keeps a date or a
    number column below the confident score, yet a person would still map it."""
    if not import_id.isprintable() or "/" in import_id:
        return None
    answer = _api().post(f"/v2/imports/{import_id}/mapping/suggest", json={})
    if answer.status_code != 200:
        return None
    mapping: dict[str, str] = dict(answer.json()["mapping"])
    used = set(mapping.values())
    for suggestion in answer.json()["suggestions"]:
        candidates = [c["source_column"] for c in suggestion["candidates"]]
        free = [column for column in candidates if column not in used]
        if suggestion["template_column"] not in mapping and free:
            mapping[suggestion["template_column"]] = free[0]
            used.add(free[0])
    return mapping


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


def _texts(value: object) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


def _status(import_id: str) -> dict[str, Any]:
    if not import_id.isprintable() or "/" in import_id:
        return {}
    answer = _api().get(f"/v2/imports/{import_id}/status")
    return answer.json() if answer.status_code == 200 else {}


def _template(template_id: str) -> dict[str, Any]:
    """The built-in template of that id as the API shows it; {} for any other id."""
    return _builtin_templates().get(template_id, {})


@cache
def _every_label() -> list[str]:
    labels = (c["label"] for t in _builtin_templates().values() for c in t.get("columns", []))
    return list(dict.fromkeys(labels))


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
