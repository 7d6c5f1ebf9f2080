"""What the phases read besides each other's hand-offs: the submitted dataset, the session's row
errors, the keys the destination holds, and the rows left out so far."""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import sqlalchemy as sa

from imports_pipeline.destination import destination_tables, row_keys
from imports_pipeline.destination.tables import ORGANIZATION_ID, ROW_KEY
from imports_pipeline.processing.context import ImportContext
from imports_pipeline.processing.hand_offs import HandOffs
from imports_pipeline.processing.outcomes import no_rejections
from imports_pipeline.sessions import ImportService
from imports_pipeline.vocabulary import PHASE_ORDER, Phase

KEY_LOOKUP_BATCH = 1000
"""Keys per ``IN (...)`` when looking up existing destination rows: well under every driver's
parameter limit."""


class PhaseInputs:
    """One import's inputs; read on demand, since each phase needs only some of them."""

    def __init__(self, service: ImportService, destination: sa.Engine, hand_offs: HandOffs) -> None:
        self.service = service
        self.destination = destination
        self.hand_offs = hand_offs
        self.store = service.stores.processing

    def submitted_rows(self, context: ImportContext) -> pd.DataFrame:
        """The cleaned dataset ``submit`` wrote: ``row_index`` + typed template columns."""
        row = context.session
        submitted_file_id = row.submitted_file_id or ""
        stored = self.service.repository.get_file(submitted_file_id, row.organization_id)
        if stored is None:
            raise ValueError(f"Import {row.id} has no submitted dataset")
        return cast(
            "pd.DataFrame",
            pq.read_table(self.service.files.path_of(stored.relative_path)).to_pandas(),
        )

    def session_errors(self, context: ImportContext) -> pd.DataFrame:
        """Every row error of the last validation (``row_index``, ``column``, ``code``, ``message``,
        ``value``)."""
        artifacts = context.session.artifacts or {}
        if "errors" not in artifacts:
            return pd.DataFrame({"row_index": pd.Series(dtype="int64")})
        return self.service.tables.errors(context.session)

    def keys_repeated_before_submit(self, context: ImportContext) -> set[str]:
        """Keys whose later copies failed validation (``duplicate_key``) and were left out at
        submit.

        With ``ignore_all`` the first copy is ambiguous too, so it must not be imported
        even though it is now alone in the submitted dataset.
        """
        errors = self.session_errors(context)
        if "code" not in errors.columns:
            return set()
        repeated = np.unique(
            errors.loc[errors["code"].eq("duplicate_key"), "row_index"].to_numpy(dtype=np.int64)
        )
        if len(repeated) == 0:
            return set()
        typed = self.service.tables.typed_rows(context.session, repeated)
        return set(row_keys(typed, context.template).tolist())

    def existing_keys(self, context: ImportContext, keys: list[str]) -> set[str]:
        """Which of ``keys`` the organization already has in the template's destination table."""
        rows = destination_tables(context.template).rows
        if not keys or not sa.inspect(self.destination).has_table(rows.name):
            return set()
        found: set[str] = set()
        with self.destination.connect() as connection:
            for start in range(0, len(keys), KEY_LOOKUP_BATCH):
                batch = keys[start : start + KEY_LOOKUP_BATCH]
                query = sa.select(rows.c[ROW_KEY]).where(
                    rows.c[ORGANIZATION_ID] == context.session.organization_id,
                    rows.c[ROW_KEY].in_(batch),
                )
                found.update(connection.execute(query).scalars())
        return found

    def all_rejected(self) -> pd.DataFrame:
        """Every row left out by any phase so far, by row."""
        parts = []
        for phase in PHASE_ORDER:
            name = self.store.phase_detail(self.hand_offs.import_id, phase.value).get(
                "rejected_file"
            )
            if name:
                parts.append(self.hand_offs.read_rejected(name))
        if not parts:
            return no_rejections(Phase.CLEANUP)
        frame = pd.concat(parts, ignore_index=True)
        return frame.sort_values(["row_index", "phase"], kind="stable", ignore_index=True)
