"""What the create form's schema says beyond what FastAPI writes for its fields: which of file
and file name must come, that no other field is taken, and that a multipart field is never null.
"""

from __future__ import annotations

from typing import Any

CREATE_BODY_RULES: dict[str, Any] = {
    # What the form fields alone cannot say: the file comes with the request unless
    # upload_mode=async, and then its name does instead.
    "anyOf": [
        {"required": ["upload_file"], "properties": {"upload_mode": {"const": "sync"}}},
        {
            "required": ["upload_mode", "file_name"],
            "properties": {"upload_mode": {"const": "async"}},
        },
    ]
}
UPLOAD_MEDIA_TYPES = (
    "text/csv",
    "text/tab-separated-values",
    "text/plain",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel.sheet.macroEnabled.12",
    "application/vnd.ms-excel",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/octet-stream",
)


def add_create_body_rules(openapi: dict[str, Any]) -> None:
    """Put the rules into the create form's own schema (tools read a ``$ref`` alone and drop
    keywords written beside it), and drop the ``null`` FastAPI declares for optional fields: a
    multipart field is text or absent, and the text "null" is a value like any other."""
    body = openapi["paths"]["/v2/imports/sessions"]["post"]["requestBody"]["content"]
    name = body["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    form = openapi["components"]["schemas"][name]
    form.update(CREATE_BODY_RULES)
    form["additionalProperties"] = False  # another field is refused (api/query_parameters.py)
    for field in form["properties"].values():
        kinds = field.pop("anyOf", None)
        if kinds is not None:  # what the field itself declares wins over its type's defaults
            declared = {**next(kind for kind in kinds if kind.get("type") != "null"), **field}
            field.clear()
            field.update(declared)
