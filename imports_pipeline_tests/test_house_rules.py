"""The house rules of ``imports_pipeline/`` that no linter checks, read from the source by ``ast``.

Small modules and classes, no reaching into another module's private members,
statuses spelt only in ``vocabulary.py``, the environment read only in
``settings.py``. Each failure names the file and line, so a change that breaks a
rule says where.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from imports_pipeline.vocabulary import DropOutcome, PhaseStatus, ProcessingStatus, SessionStatus

PACKAGE = Path(__file__).resolve().parents[1] / "imports_pipeline"
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)
MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 300
STATUS_WORDS = {
    s.value for enum in (SessionStatus, ProcessingStatus, PhaseStatus, DropOutcome) for s in enum
}


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def name(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def about_a_status(code: str) -> bool:
    return "status" in code or "outcome" in code


def status_literals(tree: ast.AST) -> list[ast.Constant]:
    """Status words written as strings where a status is meant: compared with, passed as,
    assigned to or keyed by something named ``*status*`` or ``*outcome*``."""

    def word(node: ast.AST | None) -> bool:
        return isinstance(node, ast.Constant) and node.value in STATUS_WORDS

    found: list[ast.Constant] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for operand in operands:
                candidates = (
                    operand.elts
                    if isinstance(operand, (ast.Tuple, ast.List, ast.Set))
                    else [operand]
                )
                others = [ast.unparse(o) for o in operands if o is not operand]
                found += [
                    c for c in candidates if word(c) and any(about_a_status(o) for o in others)
                ]
        elif (
            isinstance(node, ast.keyword)
            and node.arg
            and about_a_status(node.arg)
            and word(node.value)
        ):
            found.append(node.value)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if word(node.value) and any(about_a_status(ast.unparse(t)) for t in targets):
                found.append(node.value)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and about_a_status(str(key.value)) and word(value):
                    found.append(value)
    return [c for c in found if isinstance(c, ast.Constant)]


def test_no_module_is_longer_than_the_limit() -> None:
    long = {
        name(p): n
        for p in SOURCES
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_class_is_longer_than_the_limit() -> None:
    long = {}
    for path in SOURCES:
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                length = node.end_lineno - node.lineno + 1
                if length > MAX_CLASS_LINES:
                    long[f"{name(path)}:{node.lineno} {node.name}"] = length
    assert long == {}


def test_no_private_member_is_used_outside_its_module() -> None:
    """``x._name`` is allowed on ``self`` and ``cls`` only; ``from m import _name`` not at all."""
    found = []
    for path in SOURCES:
        for node in ast.walk(parsed(path)):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                owner = node.value
                if not (isinstance(owner, ast.Name) and owner.id in {"self", "cls"}):
                    found.append(f"{name(path)}:{node.lineno} .{node.attr}")
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "imports_pipeline"
            ):
                found += [
                    f"{name(path)}:{node.lineno} import {a.name}"
                    for a in node.names
                    if a.name.startswith("_")
                ]
    assert found == []


def test_statuses_are_spelt_only_in_the_vocabulary() -> None:
    found = [
        f"{name(path)}:{node.lineno} {node.value!r}"
        for path in SOURCES
        if path.name != "vocabulary.py"
        for node in status_literals(parsed(path))
    ]
    assert found == []


@pytest.mark.parametrize("forbidden", ["os.environ", "os.getenv", "dg.EnvVar"])
def test_the_environment_is_read_only_in_the_settings_module(forbidden: str) -> None:
    """``dg.EnvVar`` is Dagster's way to read a variable: allowed in the resource that hands the
    settings to Dagster."""
    allowed = {"settings.py"} | ({"resources.py"} if forbidden == "dg.EnvVar" else set())
    found = []
    for path in SOURCES:
        if path.name in allowed:
            continue
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.Attribute) and ast.unparse(node) == forbidden:
                found.append(f"{name(path)}:{node.lineno}")
    assert found == []


LOWER_LAYERS = {"errors", "settings", "vocabulary"}
MAY_IMPORT = {
    "errors": set(),
    "settings": set(),
    "vocabulary": set(),
    "views": {"vocabulary"},
    "wire": {"templates", "views", "vocabulary"},
    "templates": {"errors", "settings"},
    "engine": {"errors", "templates", "vocabulary"},
    "store": LOWER_LAYERS,
    "destination": LOWER_LAYERS | {"templates"},
    "sessions": LOWER_LAYERS | {"engine", "store", "templates", "views"},
    "processing": LOWER_LAYERS | {"destination", "sessions", "store", "templates", "views"},
    "expiry": LOWER_LAYERS | {"processing", "sessions"},
    "inbox": LOWER_LAYERS | {"sessions", "templates", "views"},
    "batches": LOWER_LAYERS | {"inbox", "sessions"},
    "web_importer": set(),
    "run_submission": LOWER_LAYERS | {"store"},
    "notifications": LOWER_LAYERS | {"sessions", "store", "views"},
    "api": LOWER_LAYERS
    | {
        "notifications",
        "processing",
        "run_submission",
        "sessions",
        "store",
        "templates",
        "views",
        "web_importer",
        "wire",
    },
    "client": {"templates", "views", "vocabulary", "wire"},
    "orchestration": LOWER_LAYERS
    | {
        "batches",
        "expiry",
        "inbox",
        "notifications",
        "processing",
        "run_submission",
        "sessions",
        "store",
    },
    "local_import": LOWER_LAYERS | {"inbox", "processing", "sessions", "templates", "views"},
    "remote_import": LOWER_LAYERS | {"client", "local_import", "views", "wire"},
    "cli": LOWER_LAYERS
    | {
        "api",
        "client",
        "inbox",
        "local_import",
        "processing",
        "remote_import",
        "sessions",
        "store",
        "templates",
    },
}
"""Which of our top-level modules each one may import: arrows point down, the edges on top."""
FRAMEWORKS = {"dagster": "orchestration", "fastapi": "api", "starlette": "api"}
"""A framework belongs to one layer: the API never imports Dagster, nor Dagster FastAPI."""


def test_imports_point_down_the_layers() -> None:
    found = []
    for path in SOURCES:
        parts = path.relative_to(PACKAGE).parts
        layer = parts[0].removesuffix(".py")
        if layer == "__init__":
            continue
        for node in ast.walk(parsed(path)):
            modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            for module in modules:
                top, _, rest = module.partition(".")
                if top == "imports_pipeline":
                    target = rest.partition(".")[0]
                    if target != layer and target not in MAY_IMPORT[layer]:
                        found.append(f"{name(path)}:{node.lineno} imports {module}")
                elif top in FRAMEWORKS and FRAMEWORKS[top] != layer:
                    found.append(f"{name(path)}:{node.lineno} imports {module}")
    assert found == []
