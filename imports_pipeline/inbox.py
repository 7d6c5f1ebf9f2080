"""Unattended imports from drop folders: a file dropped into ``inbox/<organization>/<template>/``
is imported.

Plain Python over the session use cases; the Dagster sensor only calls
``scan_inbox``. Each file goes through the same steps as an interactive
session, with the mapping taken from the folder's settings file, then from
what the organization confirmed before, then from confident suggestions. When
a required column cannot be mapped, or errors remain and the folder does not
allow them, the session stops there with the reason in ``status_detail``.

A file is never deleted or lost. It is first claimed by an atomic rename into
``processing/`` (so two sensor ticks never take the same file), then moved to
``processed/`` or ``failed/`` next to the inbox, with a short JSON report. A file
still being written (modified in the last ``settle_seconds``) is left alone;
editors' and browsers' partial files (``.part``, ``~$…``, dot files) are ignored.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from imports_pipeline.errors import DomainError
from imports_pipeline.sessions import ImportService
from imports_pipeline.sessions.creating import NewSession
from imports_pipeline.templates.model import Template
from imports_pipeline.views import MappingSuggestionResult
from imports_pipeline.vocabulary import (
    Actor,
    ActorType,
    DropOutcome,
    DuplicateHandling,
    WriteAction,
    utc_now,
)

SETTINGS_FILE = "imports.yaml"
AUTO_APPLY_SCORE = 0.9
"""Suggestions at or above this score are used unattended; below it a person must confirm.
The suggester's scores are calibrated so that this band is the confident one: on
``benchmarks/mapping_eval`` (492 column decisions on ten unseen templates) every suggestion
at >= 0.9 was right (precision 1.000 on tune and held-out; 0.8 was also clean there, but it
is the band where calibration parks pairs that do not win clearly)."""
PARTIAL_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".download", ".swp")
STALE_CLAIM_SECONDS = 3600
"""A claimed file with no outcome after this long (a crashed run) goes back to the inbox."""


class FolderSettings(BaseModel):
    """The optional ``imports.yaml`` of an inbox folder."""

    model_config = ConfigDict(extra="forbid")

    action: WriteAction = WriteAction.MERGE
    duplicate_handling: DuplicateHandling = DuplicateHandling.IGNORE_ALL
    numeric_locale: str | None = None
    ignore_errors: bool = False
    selected_sheet: str | None = None
    mapping: dict[str, str] = Field(default_factory=dict)
    value_mapping: dict[str, dict[str, str]] = Field(default_factory=dict)


@dataclass(frozen=True)
class InboxFile:
    path: Path
    organization_id: str
    template_id: str


@dataclass
class InboxOutcome:
    file_name: str
    organization_id: str
    template_id: str
    outcome: DropOutcome
    reason: str | None = None
    import_id: str | None = None
    moved_to: str | None = None
    rows: dict[str, int] = field(default_factory=dict)


def _is_partial(path: Path) -> bool:
    name = path.name
    return (
        name.startswith((".", "~$"))
        or name.lower().endswith(PARTIAL_SUFFIXES)
        or name == SETTINGS_FILE
    )


def ready_files(root: Path, now: float, settle_seconds: float = 5.0) -> list[InboxFile]:
    """Files of ``inbox/<org>/<template>/`` that have not changed for ``settle_seconds``, oldest
    first."""
    found: list[tuple[float, InboxFile]] = []
    for organization in sorted(p for p in (root / "inbox").glob("*") if p.is_dir()):
        for template in sorted(p for p in organization.iterdir() if p.is_dir()):
            for path in template.iterdir():
                if not path.is_file() or _is_partial(path):
                    continue
                modified = path.stat().st_mtime
                if now - modified >= settle_seconds:
                    found.append((modified, InboxFile(path, organization.name, template.name)))
    return [item for _, item in sorted(found, key=lambda pair: (pair[0], str(pair[1].path)))]


def load_settings(folder: Path) -> FolderSettings:
    path = folder / SETTINGS_FILE
    if not path.exists():
        return FolderSettings()
    try:
        return FolderSettings.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (yaml.YAMLError, ValidationError) as error:
        raise DomainError(f"{path.name} in {folder}: {error}") from error


def claim(root: Path, item: InboxFile) -> Path | None:
    """Move the file out of the inbox atomically; None when another tick took it first."""
    target = (
        root
        / "processing"
        / item.organization_id
        / item.template_id
        / f"{uuid.uuid4().hex[:8]}-{item.path.name}"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(item.path, target)
    except FileNotFoundError:
        return None
    return target


def finish(
    root: Path, claimed: Path, item: InboxFile, outcome: InboxOutcome, stamp: datetime
) -> None:
    """Move the file next to the inbox (``processed/`` or ``failed/``) with its report."""
    folder = "processed" if outcome.outcome is DropOutcome.SUBMITTED else "failed"
    target_dir = root / folder / item.organization_id / item.template_id
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{stamp:%Y%m%dT%H%M%S}-{claimed.name}"
    outcome.moved_to = str(target.relative_to(root))
    os.replace(claimed, target)
    report = target.with_name(target.name + ".report.json")
    report.write_text(json.dumps(asdict(outcome), indent=2, ensure_ascii=False), encoding="utf-8")


def release_stale_claims(root: Path, now: float) -> list[Path]:
    """Files a crashed run claimed but never finished go back to their inbox folder."""
    released: list[Path] = []
    for claimed in (root / "processing").glob("*/*/*"):
        if claimed.is_file() and now - claimed.stat().st_mtime >= STALE_CLAIM_SECONDS:
            back = (
                root
                / "inbox"
                / claimed.parent.parent.name
                / claimed.parent.name
                / claimed.name.split("-", 1)[1]
            )
            back.parent.mkdir(parents=True, exist_ok=True)
            os.replace(claimed, back)
            released.append(back)
    return released


def confident_part(suggestion: MappingSuggestionResult) -> dict[str, str]:
    """The suggested pairs used unattended: remembered, or scored at ``AUTO_APPLY_SCORE``."""
    return {
        s.template_column: s.source_column
        for s in suggestion.suggestions
        if s.source_column and (s.reason == "remembered" or s.score >= AUTO_APPLY_SCORE)
    }


def unmapped_required(template: Template, mapping: Mapping[str, str]) -> list[str]:
    """Required template columns without a default that ``mapping`` leaves out."""
    return [
        c.key for c in template.columns if c.required and c.default is None and c.key not in mapping
    ]


class DropImport:
    """One dropped file's way into a session, step by step, so a Dagster run can show each step
    as its own asset (parse, map, prevalidate and submit) and ``import_file`` can run them in
    one go."""

    def __init__(
        self,
        service: ImportService,
        item: InboxFile,
        settings: FolderSettings,
        import_id: str | None = None,
    ) -> None:
        self.service = service
        self.item = item
        self.settings = settings
        self.actor = Actor(item.organization_id, actor_type=ActorType.SENSOR.value)
        self.outcome = InboxOutcome(
            item.path.name, item.organization_id, item.template_id, DropOutcome.FAILED
        )
        self.outcome.import_id = import_id

    def parse(self, path: Path) -> list[str]:
        """Store and read the file as a ``sensor`` session (with the id chosen beforehand); its
        source columns."""
        with path.open("rb") as upload:
            wanted = NewSession(
                self.item.template_id,
                self.outcome.file_name,
                numeric_locale=self.settings.numeric_locale,
                selected_sheet=self.settings.selected_sheet,
                import_id=self.outcome.import_id,
            )
            created = self.service.create(self.actor, wanted, upload)
        self.outcome.import_id = created.import_id
        self.outcome.rows = {"total": created.total_rows}
        return list(created.source_columns)

    def mapping(self, source_columns: list[str]) -> dict[str, str] | None:
        """The folder's fixed mapping over confident suggestions; None (needs attention) when a
        required column stays unmapped."""
        import_id = self.imported()
        suggestion = self.service.suggest_mapping(self.actor, import_id)
        confident = confident_part(suggestion)
        fixed = {
            target: source
            for target, source in self.settings.mapping.items()
            if source in source_columns
        }
        mapping = {**confident, **fixed}
        template = self.service.catalog.get(self.item.template_id)
        missing = unmapped_required(template, mapping)
        if missing:
            self.needs_attention(f"required columns could not be mapped: {', '.join(missing)}")
            return None
        # Kept in the session like a mapping confirmed at validate, for the step that submits.
        self.service.repository.update(import_id, self.service.clock(), mapping=mapping)
        return mapping

    def submit(self, mapping: dict[str, str]) -> bool:
        """Validate with ``mapping`` and submit when clean enough; False (needs attention) when
        errors remain and the folder does not allow them."""
        import_id = self.imported()
        settings = self.settings
        result = self.service.validate(
            self.actor, import_id, mapping, settings.value_mapping or None, page_size=1
        )
        self.outcome.rows = {
            "total": result.total_rows,
            "valid": result.valid_rows,
            "errors": result.error_rows,
        }
        if result.error_rows and not settings.ignore_errors:
            self.needs_attention(
                f"{result.error_rows} rows have errors"
                " and the folder does not allow submitting with errors"
            )
            return False
        submitted = self.service.submit(
            self.actor,
            import_id,
            ignore_errors=settings.ignore_errors,
            action=settings.action,
            duplicate_handling=settings.duplicate_handling,
        )
        self.outcome.outcome = DropOutcome.SUBMITTED
        self.outcome.rows["submitted"] = submitted.rows_submitted
        return True

    def imported(self) -> str:
        if self.outcome.import_id is None:
            raise DomainError(f"{self.outcome.file_name} was not read yet")
        return self.outcome.import_id

    def needs_attention(self, reason: str) -> None:
        self.outcome.outcome = DropOutcome.NEEDS_ATTENTION
        self.outcome.reason = reason
        if self.outcome.import_id is not None:
            detail = f"unattended import stopped: {reason}"
            self.service.repository.update(
                self.outcome.import_id, self.service.clock(), status_detail=detail
            )


def import_file(
    service: ImportService, path: Path, item: InboxFile, settings: FolderSettings
) -> InboxOutcome:
    """Create, map, validate and (when clean enough) submit one dropped file as a ``sensor``
    session."""
    drop = DropImport(service, item, settings)
    mapping = drop.mapping(drop.parse(path))
    if mapping is not None:
        drop.submit(mapping)
    return drop.outcome


def scan_inbox(
    service: ImportService,
    root: Path,
    now: Callable[[], float],
    settle_seconds: float = 5.0,
    limit: int = 20,
) -> list[InboxOutcome]:
    """One pass over the drop folders: import up to ``limit`` ready files, oldest first."""
    release_stale_claims(root, now())
    outcomes: list[InboxOutcome] = []
    for item in ready_files(root, now(), settle_seconds)[:limit]:
        claimed = claim(root, item)
        if claimed is not None:
            folder_settings = partial(load_settings, item.path.parent)
            outcomes.append(import_claimed(service, root, claimed, item, folder_settings))
    return outcomes


def import_claimed(
    service: ImportService,
    root: Path,
    claimed: Path,
    item: InboxFile,
    settings: Callable[[], FolderSettings],
) -> InboxOutcome:
    """Import a claimed file and move it out with its report, whatever happens."""
    try:
        outcome = import_file(service, claimed, item, settings())
    except Exception as error:
        reason = (
            str(error)
            if isinstance(error, DomainError)
            else f"internal error: {type(error).__name__}: {error}"
        )
        outcome = InboxOutcome(
            item.path.name, item.organization_id, item.template_id, DropOutcome.FAILED, reason
        )
        outcome.import_id = getattr(error, "context", {}).get("import_id")
    finish(root, claimed, item, outcome, utc_now())
    return outcome
