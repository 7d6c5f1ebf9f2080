"""Scheduled batch imports: files a partner leaves in a folder (an SFTP mount, a share) imported
on a cron.

Configured in the ``batches_file`` setting (default ``<data>/batches.yaml``)::

    batches:
      - name: partner_trips_nightly
        cron: "0 2 * * *"
        organization_id: org-1
        template_id: logistics_requests
        source: /mnt/partner/trips_*.csv
        settings: {numeric_locale: es_ES, ignore_errors: true, action: merge}

Each run copies the files matching ``source`` that it has not imported before
(by content: a file rewritten in place with new rows is imported again) and
imports each one exactly like a dropped file, with the batch's settings. The
source folder is never changed; the copies end in ``processed/`` or ``failed/``
with their reports. Which contents were imported is kept in
``<drops>/batches/<name>.json``.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from imports_pipeline.errors import DomainError
from imports_pipeline.inbox import FolderSettings, InboxFile, InboxOutcome, import_claimed
from imports_pipeline.sessions import ImportService


class BatchImport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9_]+$")
    cron: str
    organization_id: str
    template_id: str
    source: str
    """A glob of files to import, e.g. ``/mnt/partner/*.csv``."""
    settings: FolderSettings = Field(default_factory=FolderSettings)


class BatchConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    batches: list[BatchImport] = Field(default_factory=list)


def load_batches(path: Path) -> list[BatchImport]:
    """No file means no batches; a broken file is an error naming the file and the field."""
    if not path.exists():
        return []
    try:
        config = BatchConfig.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (yaml.YAMLError, ValidationError) as error:
        raise DomainError(f"{path}: {error}") from error
    names = [batch.name for batch in config.batches]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise DomainError(f"{path}: batch names must be unique, repeated: {', '.join(repeated)}")
    return config.batches


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def run_batch(service: ImportService, root: Path, batch: BatchImport) -> list[InboxOutcome]:
    """Import every new content matching the batch's source; already imported contents are
    skipped."""
    state_path = root / "batches" / f"{batch.name}.json"
    imported: dict[str, str] = json.loads(state_path.read_text()) if state_path.exists() else {}
    outcomes: list[InboxOutcome] = []
    for source in sorted(Path(p) for p in glob.glob(batch.source)):
        if not source.is_file():
            continue
        content = _sha256(source)
        if content in imported:
            continue
        claimed = (
            root
            / "processing"
            / batch.organization_id
            / batch.template_id
            / f"{uuid.uuid4().hex[:8]}-{source.name}"
        )
        claimed.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, claimed)
        item = InboxFile(source, batch.organization_id, batch.template_id)
        outcome = import_claimed(service, root, claimed, item, lambda: batch.settings)
        outcomes.append(outcome)
        imported[content] = outcome.import_id or ""
        state_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = state_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(imported, indent=1))
        os.replace(temporary, state_path)
    return outcomes
