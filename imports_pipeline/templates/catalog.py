"""Where templates come from: built-in YAML specs plus the user's own folder.

Self-hosters add or replace templates by dropping YAML files in
``$IMPORTS_TEMPLATES_DIR`` instead of editing the package. Every file is loaded
and checked when the catalog is built, so a broken template fails at start-up
with a message naming the file and the field, not halfway through an import.

A template's id comes from its ``id`` field and need not match the file name:
files can then be renamed or versioned (``leads.v2.yaml``) freely. Two files in
the same folder with the same id are an error; a user file whose id equals a
built-in one replaces it.
"""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from imports_pipeline.errors import TemplateFileError, UnknownTemplateError
from imports_pipeline.settings import environment_name
from imports_pipeline.templates.model import ColumnType, Option, Template, TemplateColumn
from imports_pipeline.templates.option_sources import OPTION_SOURCES, resolve_option_source

BUILTIN_DIR = Path(__file__).parent / "specs"


def _location(loc: tuple[int | str, ...]) -> str:
    """Pydantic's ('columns', 2, 'type') as the YAML path a human reads: columns[2].type."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def describe_error(error: ErrorDetails) -> str:
    message = error["msg"].removeprefix("Value error, ")
    where = _location(error["loc"])
    value = error.get("input")
    if error["type"] != "missing" and not isinstance(value, dict | list):
        message += f" (got {value!r})"
    return f"{where}: {message}" if where else message


def _parse_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f"line {mark.line + 1}: " if mark else ""
        raise TemplateFileError(
            f"{path.name}: {line}invalid YAML: {error.problem or error}", file=str(path)
        ) from error
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise TemplateFileError(
            f"{path.name}: cannot read template: {error}", file=str(path)
        ) from error


def load_template_file(path: Path) -> Template:
    """Parse and check one YAML template; every problem is a ``TemplateFileError``."""
    data = _parse_yaml(path)
    if not isinstance(data, dict):
        raise TemplateFileError(
            f"{path.name}: a template must be a YAML mapping with id, name and columns",
            file=str(path),
        )
    try:
        template = Template.model_validate(data)
    except ValidationError as error:
        details = "; ".join(describe_error(e) for e in error.errors())
        raise TemplateFileError(f"{path.name}: {details}", file=str(path)) from error
    for index, column in enumerate(template.columns):
        if column.options_source is not None and column.options_source not in OPTION_SOURCES:
            known = ", ".join(sorted(OPTION_SOURCES))
            raise TemplateFileError(
                f"{path.name}: columns[{index}].options_source: unknown option source "
                f"'{column.options_source}' (known: {known})",
                file=str(path),
            )
    return template


def _load_folder(folder: Path) -> dict[str, Template]:
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    templates: dict[str, Template] = {}
    origins: dict[str, Path] = {}
    for path in files:
        template = load_template_file(path)
        if template.id in origins:
            raise TemplateFileError(
                f"{path.name}: id '{template.id}' is already defined in "
                f"{origins[template.id].name}",
                file=str(path),
            )
        templates[template.id] = template
        origins[template.id] = path
    return templates


class TemplateCatalog:
    """All templates known to this process, keyed by id."""

    def __init__(self, extra_dir: Path | None = None) -> None:
        """The built-in templates, plus ``extra_dir``'s
        (the ``templates_dir`` setting), which win on the same id."""
        self.extra_dir = extra_dir
        self._templates = _load_folder(BUILTIN_DIR)
        if self.extra_dir is not None:
            if not self.extra_dir.is_dir():
                raise TemplateFileError(
                    f"{environment_name('templates_dir')}: {self.extra_dir} is not a directory",
                    file=str(self.extra_dir),
                )
            self._templates.update(_load_folder(self.extra_dir))

    def get(self, template_id: str) -> Template:
        try:
            return self._templates[template_id]
        except KeyError:
            available = ", ".join(sorted(self._templates))
            raise UnknownTemplateError(
                f"unknown template '{template_id}'; available templates: {available}",
                template_id=template_id,
            ) from None

    def list(self) -> builtins.list[Template]:
        return [self._templates[key] for key in sorted(self._templates)]

    def options_for(self, column: TemplateColumn) -> builtins.list[Option]:
        """The selectable options of a category column, whether inline or from a shared source."""
        if column.type is not ColumnType.CATEGORY:
            return []
        if column.options_source is None:
            return list(column.options or ())
        return resolve_option_source(column.options_source)
