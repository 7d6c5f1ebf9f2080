"""One file through the whole import on the local installation, processing included, with no
Dagster daemon: what ``imports-pipeline import`` runs.

The same use cases as the API and the same phases as a Dagster run, called in this process, so
a file imported here lands exactly as it would through either. The caller is told each step as
it ends (``on_step``), to show progress on a terminal or in a log.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from imports_pipeline.errors import DomainError
from imports_pipeline.inbox import confident_part, unmapped_required
from imports_pipeline.processing import ImportProcessing
from imports_pipeline.sessions import ImportService
from imports_pipeline.templates.model import Template
from imports_pipeline.views import MappingSuggestionResult, ValidationResult
from imports_pipeline.vocabulary import PHASE_ORDER, Actor, WriteAction

CLI_USER = "cli"


class MappingNeeded(DomainError):
    """Required columns that the suggestion does not map confidently: a person must say.
    ``context["suggested"]`` is the whole suggestion, a mapping file to start from."""

    code = "MAPPING_NEEDED"


@dataclass
class StepDone:
    name: str
    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float("inf")


@dataclass(frozen=True)
class StepProgress:
    """Where the running step stands: ``parts_done`` of ``parts`` (processing's phases; 0 of 0
    for a step that is one call), the rows of the last part and how long it took."""

    name: str
    parts_done: int = 0
    parts: int = 0
    part_name: str = ""
    part_rows: int = 0
    part_seconds: float = 0.0

    @property
    def part_rows_per_second(self) -> float:
        return self.part_rows / self.part_seconds if self.part_seconds > 0 else float("inf")


@dataclass
class StepLog:
    """The steps done so far, each told to ``on_step`` as it ends; ``on_progress`` hears a step
    begin and each of its parts end, so a long step shows progress before it is done."""

    on_step: Callable[[StepDone], None]
    on_progress: Callable[[StepProgress], None] = lambda progress: None
    steps: list[StepDone] = field(default_factory=list)

    def begin(self, name: str, parts: int = 0) -> float:
        """Tell that ``name`` starts; returns its start time for ``done``."""
        self.on_progress(StepProgress(name, parts=parts))
        return time.perf_counter()

    def part_done(self, progress: StepProgress) -> None:
        self.on_progress(progress)

    def done(self, name: str, rows: int, started: float) -> None:
        self.steps.append(StepDone(name, rows, time.perf_counter() - started))
        self.on_step(self.steps[-1])


@dataclass
class ImportOutcome:
    import_id: str
    total_rows: int
    valid_rows: int
    error_rows: int
    errors_by_column: dict[str, int]
    mapping: dict[str, str]
    submitted: bool = False
    stats: dict[str, int] = field(default_factory=dict)
    error_report: Path | None = None
    steps: list[StepDone] = field(default_factory=list)

    @classmethod
    def validated(
        cls, result: ValidationResult, mapping: dict[str, str], steps: list[StepDone]
    ) -> ImportOutcome:
        """Where every import stands after validate, local or remote."""
        return cls(
            import_id=result.import_id,
            total_rows=result.total_rows,
            valid_rows=result.valid_rows,
            error_rows=result.error_rows,
            errors_by_column=dict(result.errors_by_column),
            mapping=mapping,
            steps=steps,
        )


@dataclass
class ImportRequest:
    file: Path
    template_id: str
    organization_id: str
    numeric_locale: str | None = None
    sheet: str | None = None
    mapping: Mapping[str, str] | None = None
    action: WriteAction = WriteAction.MERGE
    ignore_errors: bool = False
    dry_run: bool = False
    report_dir: Path = Path()


def import_file(
    service: ImportService,
    request: ImportRequest,
    on_step: Callable[[StepDone], None] = lambda step: None,
    on_progress: Callable[[StepProgress], None] = lambda progress: None,
) -> ImportOutcome:
    """Create, map, validate, and unless it is a dry run or rows with errors remain (without
    ``ignore_errors``), submit and process. The error report is written beside ``report_dir``
    whenever rows have errors."""
    actor = Actor(organization_id=request.organization_id, user_id=CLI_USER)
    steps = StepLog(on_step, on_progress)
    done = steps.done

    started = steps.begin("read")
    with open(request.file, "rb") as upload:
        created = service.create_session(
            actor,
            request.template_id,
            request.file.name,
            upload,
            numeric_locale=request.numeric_locale,
            selected_sheet=request.sheet,
        )
    done("read", created.total_rows, started)
    started = steps.begin("validate")
    mapping = dict(request.mapping or {}) or confident_mapping(
        service.suggest_mapping(actor, created.import_id), service.catalog.get(request.template_id)
    )
    validated = service.validate(actor, created.import_id, mapping, page_size=1)
    done("validate", validated.total_rows, started)
    result = ImportOutcome.validated(validated, mapping, steps.steps)
    if validated.error_rows:
        report = service.error_report(actor, created.import_id, "xlsx")
        result.error_report = request.report_dir / f"{request.file.stem}.errors.xlsx"
        result.error_report.write_bytes(report.path.read_bytes())
    if request.dry_run or (validated.error_rows and not request.ignore_errors):
        return result
    started = steps.begin("process", len(PHASE_ORDER))
    service.submit(
        actor, created.import_id, ignore_errors=request.ignore_errors, action=request.action
    )
    processing = ImportProcessing(service, service.stores.destination, created.import_id)
    for number, phase in enumerate(PHASE_ORDER, start=1):
        phase_started = time.perf_counter()
        getattr(processing, phase)()
        seconds = time.perf_counter() - phase_started
        steps.part_done(
            StepProgress("process", number, len(PHASE_ORDER), phase, validated.valid_rows, seconds)
        )
    status = service.status(actor, created.import_id)
    done("process", validated.valid_rows, started)
    result.submitted = True
    result.stats = status.stats.model_dump() if status.stats else {}
    return result


def confident_mapping(suggestion: MappingSuggestionResult, template: Template) -> dict[str, str]:
    """The suggestion, when every required column is mapped from memory or at the score drop
    folders trust; otherwise stop and say which columns need a mapping."""
    mapping = confident_part(suggestion)
    missing = unmapped_required(template, mapping)
    if missing:
        raise MappingNeeded(
            f"required columns are not confidently mapped: {', '.join(missing)}",
            missing=missing,
            suggested={s.template_column: s.source_column for s in suggestion.suggestions},
        )
    return mapping
