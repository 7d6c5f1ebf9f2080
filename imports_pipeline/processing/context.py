"""What a phase knows about its import, read once at its start: one version of the session row
throughout."""

from __future__ import annotations

from dataclasses import dataclass

from imports_pipeline.store.processing import ProcessingStore
from imports_pipeline.store.tables import ImportSessionRow
from imports_pipeline.templates.catalog import TemplateCatalog
from imports_pipeline.templates.model import Template
from imports_pipeline.vocabulary import DuplicateHandling, Submission, WriteAction


@dataclass(frozen=True)
class ImportContext:
    session: ImportSessionRow
    template: Template
    submission: Submission

    @property
    def action(self) -> WriteAction:
        return self.submission.action

    @property
    def duplicate_handling(self) -> DuplicateHandling:
        return self.submission.duplicate_handling

    @classmethod
    def load(
        cls, store: ProcessingStore, catalog: TemplateCatalog, import_id: str
    ) -> ImportContext:
        """The session as it is now; refused if it was never submitted (there is nothing to
        process)."""
        session = store.session(import_id)
        if session.submission is None:
            raise ValueError(
                f"Import {import_id} has not been submitted: there is nothing to process"
            )
        submission = Submission.model_validate(session.submission)
        return cls(session, catalog.get(session.template_id), submission)
