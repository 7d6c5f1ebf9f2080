"""Every problem of a template file at once, each with the line it is on: what
``imports-pipeline templates check`` prints while someone writes a template.

Loading (``catalog.load_template_file``) stops at the first file that is wrong and says what;
here the same rules are checked, but pydantic's error locations (``columns[2].type``) are walked
down the YAML node tree to find their line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from imports_pipeline.errors import TemplateFileError
from imports_pipeline.templates.catalog import describe_error, load_template_file
from imports_pipeline.templates.model import Template


@dataclass(frozen=True)
class TemplateProblem:
    line: int | None  # 1-based; None when the file has no such place (a missing key)
    message: str


def check_template_file(path: Path) -> list[TemplateProblem]:
    """No problems means the catalog will load the file as it is."""
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        return [TemplateProblem(line, f"invalid YAML: {error.problem or error}")]
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        return [TemplateProblem(None, f"cannot read the file: {error}")]
    try:
        Template.model_validate(yaml.safe_load(text))
    except ValidationError as error:
        return [
            TemplateProblem(line_of(root, detail["loc"]), describe_error(detail))
            for detail in error.errors()
        ]
    try:
        load_template_file(path)  # the checks beyond the model (option sources)
    except TemplateFileError as error:
        return [TemplateProblem(None, error.message.removeprefix(f"{path.name}: "))]
    return []


def line_of(node: yaml.Node | None, location: tuple[int | str, ...]) -> int | None:
    """The line of the deepest node of ``location`` that exists: a wrong value's own line, or
    the line of the mapping a required key is missing from."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in location:
        child = _child(node, part)
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def _child(node: yaml.Node, part: int | str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        found: yaml.Node | None = next(
            (value for key, value in node.value if key.value == part), None
        )
        return found
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        item: yaml.Node = node.value[part]
        return item
    return None
