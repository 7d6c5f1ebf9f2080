"""Dropped files as runs: what the sensor tags a run with, and the parse, map and prevalidate
steps the run's first assets do for a dropped file (an API import did them in its session).

The sensor only claims a settled file (an atomic rename into ``processing/``) and requests a run
named by the file's path and content; the run reads the file with the folder's settings, maps
it, validates and submits it, then goes on with the same phases as an API import.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import dagster as dg

from imports_pipeline.errors import DomainError
from imports_pipeline.inbox import DropImport, FolderSettings, InboxFile, finish, load_settings
from imports_pipeline.orchestration.resources import ImportsResource
from imports_pipeline.run_submission import (  # the tags API imports' runs carry too
    DESTINATION_TAG,
    FILE_TAG,
    ORGANIZATION_TAG,
    PROCESSING_JOB_TAG,
    SESSION_TAG,
    TEMPLATE_TAG,
)
from imports_pipeline.vocabulary import DropOutcome, utc_now

NO_RETRY_TAG = "dagster/retry_on_asset_or_op_failure"
CLAIMED_FILE_TAG = "imports/claimed_file"
"""Where the sensor moved a dropped file, relative to the drops folder; only on dropped runs."""


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def drop_run_request(root: Path, item: InboxFile, claimed: Path) -> dg.RunRequest:
    """One run per dropped file, keyed by its inbox path and content: a tick that sees the same
    file again asks for nothing new. Its partition (the future session id) is new."""
    relative = item.path.relative_to(root / "inbox").as_posix()
    import_id = str(uuid.uuid4())
    return dg.RunRequest(
        run_key=f"{relative}@{content_hash(claimed)[:16]}",
        partition_key=import_id,
        tags={
            SESSION_TAG: import_id,
            ORGANIZATION_TAG: item.organization_id,
            TEMPLATE_TAG: item.template_id,
            DESTINATION_TAG: item.template_id,
            FILE_TAG: item.path.name,
            CLAIMED_FILE_TAG: claimed.relative_to(root).as_posix(),
        },
    )


@dataclass
class DroppedRun:
    """The dropped file a run imports, rebuilt from the run's tags in each of its steps."""

    imports: ImportsResource
    import_id: str
    claimed: Path
    item: InboxFile
    instance: dg.DagsterInstance
    run_id: str

    @classmethod
    def of(
        cls, run: dg.DagsterRun, imports: ImportsResource, instance: dg.DagsterInstance
    ) -> DroppedRun | None:
        """None for a run of an API import (no claimed file)."""
        claimed = run.tags.get(CLAIMED_FILE_TAG)
        if claimed is None:
            return None
        root = imports.settings().drops_root
        organization, template = run.tags[ORGANIZATION_TAG], run.tags[TEMPLATE_TAG]
        item = InboxFile(
            root / "inbox" / organization / template / run.tags[FILE_TAG], organization, template
        )
        return cls(imports, run.tags[SESSION_TAG], root / claimed, item, instance, run.run_id)

    def drop(self) -> DropImport:
        settings = load_settings(self.item.path.parent)
        return DropImport(self.imports.service, self.item, settings, self.import_id)

    def session_exists(self) -> bool:
        try:
            self.imports.store().session(self.import_id)
        except DomainError:
            return False
        return True

    def parse(self, log: dg.DagsterLogManager) -> None:
        """Read the claimed file into the session; a re-executed run reuses the session."""
        if self.session_exists():
            log.info(f"{self.item.path.name} was read by an earlier attempt; reusing it")
            return
        started = time.perf_counter()
        drop = DropImport(self.imports.service, self.item, FolderSettings(), self.import_id)
        try:
            drop = self.drop()
            drop.parse(self.claimed)
        except DomainError as error:
            self.give_up(
                drop, str(error), "parse", "fix the file or imports.yaml and drop it again"
            )
        rows = drop.outcome.rows.get("total", 0)
        seconds = time.perf_counter() - started
        log.info(f"read {rows:,} rows of {self.item.path.name} in {seconds:.1f} s")

    def map(self, log: dg.DagsterLogManager) -> dict[str, str]:
        drop = self.drop()
        session = self.imports.store().session(self.import_id)
        mapping = drop.mapping(list(session.source_columns or []))
        if mapping is None:
            self.give_up(
                drop,
                drop.outcome.reason or "the columns could not be mapped",
                "map",
                f"finish the mapping of import {self.import_id} over the API, or name the"
                " columns under `mapping:` in the folder's imports.yaml and drop the file again",
            )
        log.info(f"mapped {len(mapping)} columns of {self.item.path.name}")
        return mapping

    def submit(self, log: dg.DagsterLogManager) -> None:
        """Validate with the mapping chosen in ``map`` and submit; move the file to
        ``processed/``."""
        drop = self.drop()
        session = self.imports.store().session(self.import_id)
        if session.submission is not None:
            log.info(f"import {self.import_id} was submitted by an earlier attempt")
            return
        if not drop.submit(dict(session.mapping or {})):
            self.give_up(
                drop,
                drop.outcome.reason or "rows have errors",
                "prevalidate",
                "fix the rows over the API (import"
                f" {self.import_id}), or allow `ignore_errors: true` in the folder's imports.yaml",
            )
        rows = drop.outcome.rows
        log.info(
            f"validated {rows.get('total', 0):,} rows; {rows.get('errors', 0):,} with errors left"
            f" out; {rows.get('submitted', 0):,} submitted"
        )
        finish(self.root, self.claimed, self.item, drop.outcome, utc_now())

    def tag_processing_job(self, instance: dg.DagsterInstance, run_id: str) -> None:
        """Once submitted, the run carries the processing job id, as an API import's run does
        from the start (a re-execution too)."""
        job_id = self.imports.store().session(self.import_id).processing_job_id
        if job_id:
            instance.add_run_tags(run_id, {PROCESSING_JOB_TAG: job_id})

    @property
    def root(self) -> Path:
        return self.imports.settings().drops_root

    def give_up(self, drop: DropImport, reason: str, phase: str, next_step: str) -> NoReturn:
        """Move the file to ``failed/`` with its report and fail the run in words."""
        outcome = drop.outcome
        if outcome.outcome is not DropOutcome.NEEDS_ATTENTION:
            outcome.outcome, outcome.reason = DropOutcome.FAILED, reason
        if self.claimed.exists():
            finish(self.root, self.claimed, self.item, outcome, utc_now())
        # The same file and settings stop the same way again: no run retry (a crash still gets one).
        self.instance.add_run_tags(self.run_id, {NO_RETRY_TAG: "false"})
        raise dg.Failure(
            description=(
                f"The {phase} step of dropped file {self.item.path.name} stopped: {reason}."
                f" What to do: {next_step}."
            ),
            metadata={
                "phase": phase,
                "file": self.item.path.name,
                "organization": self.item.organization_id,
                "template": self.item.template_id,
                "import_id": self.import_id,
                "moved_to": outcome.moved_to or "",
            },
        )
