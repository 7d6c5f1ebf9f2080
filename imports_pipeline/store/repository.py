"""SQL reads and writes of the session store, so use cases never build queries themselves."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from imports_pipeline.errors import SessionNotFoundError
from imports_pipeline.store.session_listing import SessionFilter, SessionListing, list_sessions
from imports_pipeline.store.tables import (
    CorrectionRow,
    ImportSessionRow,
    RememberedMappingRow,
    StoredFileRow,
)
from imports_pipeline.vocabulary import SessionSort

CODE_ATTEMPTS = 5
"""Draws of a new import code before giving up (a clash is one in a billion per session)."""


CORRECTION_CHUNK = 500
"""Rows per DELETE … IN and per INSERT of a patch: well under SQLite's bound-parameter limit."""


class SessionRepository:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def _session(self) -> Session:
        return self._sessions()

    # --- import sessions -------------------------------------------------

    def add(self, *rows: ImportSessionRow | StoredFileRow) -> None:
        with self._session() as db, db.begin():
            db.add_all(rows)

    def add_session(
        self, upload: StoredFileRow | None, session: ImportSessionRow, new_code: Callable[[], str]
    ) -> None:
        """The upload's record and the new session; a taken ``import_code`` is drawn again."""
        for _ in range(CODE_ATTEMPTS):
            try:
                self.add(*([upload] if upload else []), session)
                return
            except sa.exc.IntegrityError:
                if not self._code_taken(session.organization_id, session.import_code):
                    raise
                session.import_code = new_code()
        raise RuntimeError(f"no free import code after {CODE_ATTEMPTS} attempts")

    def _code_taken(self, organization_id: str, code: str | None) -> bool:
        with self._session() as db:
            found = db.scalar(
                sa.select(ImportSessionRow.id).where(
                    ImportSessionRow.organization_id == organization_id,
                    ImportSessionRow.import_code == code,
                )
            )
        return found is not None

    def get(self, session_id: str, organization_id: str) -> ImportSessionRow:
        """The session, or not found: another organization's
        session is indistinguishable from none."""
        with self._session() as db:
            row = db.get(ImportSessionRow, session_id)
        if row is None or row.organization_id != organization_id:
            raise SessionNotFoundError(f"Import session {session_id} not found")
        return row

    def update(self, session_id: str, now: datetime, **fields: Any) -> ImportSessionRow:
        with self._session() as db, db.begin():
            return _apply_update(db, session_id, now, fields)

    def release_lease(
        self, session_id: str, lease: Mapping[str, Any], now: datetime, **fields: Any
    ) -> ImportSessionRow | None:
        """Apply ``fields`` and drop the lease, if the session still holds ``lease`` (of two
        callers recovering it, one does); None when it no longer does."""
        with self._session() as db, db.begin():
            row = db.get(ImportSessionRow, session_id, with_for_update=True)
            if row is None or row.lease != dict(lease):
                return None
            return _set_fields(row, now, {**fields, "lease": None})

    def leased(self) -> list[ImportSessionRow]:
        """Sessions with a step running (or abandoned): what the sweep looks at."""
        with self._session() as db:
            query = sa.select(ImportSessionRow).where(ImportSessionRow.lease.is_not(None))
            return list(db.scalars(query).all())

    def list_page(
        self,
        organization_id: str,
        wanted: SessionFilter,
        sort: SessionSort,
        now: datetime,
        page: int,
        size: int,
        cursor: str | None,
    ) -> SessionListing:
        """A page of the organization's sessions (see ``session_listing``)."""
        with self._session() as db:
            return list_sessions(db, organization_id, wanted, sort, now, page, size, cursor)

    def expired_before(
        self, now: datetime, except_statuses: Iterable[str]
    ) -> list[ImportSessionRow]:
        """Sessions of every organization past ``expires_at``
        whose stored status is none of ``except_statuses``."""
        with self._session() as db:
            return list(
                db.scalars(
                    sa.select(ImportSessionRow)
                    .where(
                        ImportSessionRow.expires_at <= now,
                        ImportSessionRow.status.not_in(list(except_statuses)),
                    )
                    .order_by(ImportSessionRow.expires_at, ImportSessionRow.id)
                ).all()
            )

    # --- files -------------------------------------------------------------

    def get_file(self, file_id: str, organization_id: str) -> StoredFileRow | None:
        with self._session() as db:
            row = db.get(StoredFileRow, file_id)
        return row if row is not None and row.organization_id == organization_id else None

    # --- corrections -------------------------------------------------------

    def corrections(self, session_id: str) -> list[CorrectionRow]:
        with self._session() as db:
            return list(
                db.scalars(
                    sa.select(CorrectionRow)
                    .where(CorrectionRow.session_id == session_id)
                    .order_by(CorrectionRow.row_index, CorrectionRow.column)
                ).all()
            )

    def save_corrections_and_update(
        self, session_id: str, corrections: Iterable[CorrectionRow], now: datetime, **fields: Any
    ) -> ImportSessionRow:
        """Corrections and the session's new counters/artifacts in one transaction:
        all or nothing."""
        # Set-based: a merge per correction cost a SELECT and a flush each (10,000 corrections of a
        # million-row session took 20 s, most of it here).
        latest = {(c.row_index, c.column): c for c in corrections}  # one cell twice: the last
        rows = [
            {column.key: getattr(c, column.key) for column in CorrectionRow.__table__.columns}
            for c in latest.values()
        ]
        by_column: dict[str, list[int]] = {}
        for row in rows:
            by_column.setdefault(row["column"], []).append(row["row_index"])
        with self._session() as db, db.begin():
            for column, indexes in by_column.items():
                for start in range(0, len(indexes), CORRECTION_CHUNK):
                    db.execute(
                        sa.delete(CorrectionRow).where(
                            CorrectionRow.session_id == session_id,
                            CorrectionRow.column == column,
                            CorrectionRow.row_index.in_(indexes[start : start + CORRECTION_CHUNK]),
                        )
                    )
            for start in range(0, len(rows), CORRECTION_CHUNK):
                db.execute(sa.insert(CorrectionRow), rows[start : start + CORRECTION_CHUNK])
            return _apply_update(db, session_id, now, fields)

    # --- remembered mappings -----------------------------------------------

    def remembered_mapping(
        self, organization_id: str, template_id: str, source_columns: Iterable[str]
    ) -> dict[str, str]:
        """For each template column, the most often
        (then most recently) confirmed header present in this file."""
        present = set(source_columns)
        with self._session() as db:
            rows = db.scalars(
                sa.select(RememberedMappingRow)
                .where(
                    RememberedMappingRow.organization_id == organization_id,
                    RememberedMappingRow.template_id == template_id,
                )
                .order_by(
                    RememberedMappingRow.times_confirmed.desc(),
                    RememberedMappingRow.last_confirmed_at.desc(),
                )
            ).all()
        chosen: dict[str, str] = {}
        used: set[str] = set()
        for row in rows:
            if (
                row.source_column in present
                and row.template_column not in chosen
                and row.source_column not in used
            ):
                chosen[row.template_column] = row.source_column
                used.add(row.source_column)
        return chosen

    def remember_mapping(
        self, organization_id: str, template_id: str, mapping: Mapping[str, str], now: datetime
    ) -> None:
        """Count one more confirmation of each (template column, header) pair.

        One upsert, so two validations of the same organization at once both count and neither
        fails (a read, then an insert, lost increments and raised on the second insert).
        """
        if not mapping:
            return
        table = cast(sa.Table, RememberedMappingRow.__table__)
        rows = [
            {
                "organization_id": organization_id,
                "template_id": template_id,
                "template_column": template_column,
                "source_column": source_column,
                "times_confirmed": 1,
                "last_confirmed_at": now,
            }
            for template_column, source_column in mapping.items()
        ]
        with self.engine.begin() as connection:
            statement = dialect_insert(connection, table).values(rows)
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[c.name for c in table.primary_key],
                    set_={
                        "times_confirmed": table.c.times_confirmed + 1,
                        "last_confirmed_at": statement.excluded.last_confirmed_at,
                    },
                )
            )


def dialect_insert(connection: sa.Connection, table: sa.Table) -> Any:
    """An INSERT with ``on_conflict_do_update``: PostgreSQL's and SQLite's share that API."""
    inserts = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    return inserts[connection.dialect.name](table)


def _apply_update(
    db: Session, session_id: str, now: datetime, fields: Mapping[str, Any]
) -> ImportSessionRow:
    """Lock the session row and set fields on it."""
    row = db.get(ImportSessionRow, session_id, with_for_update=True)
    if row is None:
        raise SessionNotFoundError(f"Import session {session_id} not found")
    return _set_fields(row, now, fields)


def _set_fields(
    row: ImportSessionRow, now: datetime, fields: Mapping[str, Any]
) -> ImportSessionRow:
    """Set fields on a session row locked by the caller, bump its version and ``updated_at``
    (a second ``get(..., with_for_update=True)`` in the same transaction is a second SELECT)."""
    for name, value in fields.items():
        setattr(row, name, value)
    row.updated_at = now
    row.version = row.version + 1
    return row
