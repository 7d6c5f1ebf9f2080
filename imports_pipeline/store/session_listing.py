"""The SQL of listing sessions: filters, sort order, offset pages and keyset cursors.

A keyset (sort column, id) stays correct while sessions are being created: a
new session never shifts rows between pages already handed out. A cursor names
a position, not a query: the last session's creation and update times (whole
microseconds since 1970, UTC) and its id. Any string of that shape is a valid
position under every sort, so a cursor from one sort continues another after
the same session, and the API can declare the shape exactly (``CURSOR_PATTERN``):
what matches it is answered, what does not is refused before any SQL runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from imports_pipeline.errors import InvalidCursorError
from imports_pipeline.store.tables import ImportSessionRow
from imports_pipeline.vocabulary import CURSOR_PATTERN, SessionSort, SessionStatus, TimeRange

MAX_SQL_OFFSET = 2**62
"""Larger OFFSETs overflow SQLite's and PostgreSQL's 64-bit integers;
no table holds that many sessions."""
EPOCH = datetime(1970, 1, 1)
NEVER_EXPIRE_STATUSES = (SessionStatus.SUBMITTED.value, SessionStatus.SUBMITTING.value)


@dataclass(frozen=True)
class SessionFilter:
    """What a caller narrows a list of its organization's sessions by."""

    statuses: tuple[SessionStatus, ...] = ()
    """Any of these (``expired`` included); none: every status but ``expired``."""
    template_id: str | None = None
    user_id: str | None = None
    include_expired: bool = False
    session_id: str | None = None
    created_at: TimeRange | None = None
    updated_at: TimeRange | None = None
    processed_at: TimeRange | None = None
    """When processing last settled or failed (Leadsy's ``file_processed_at``)."""


@dataclass(frozen=True)
class SessionListing:
    rows: list[ImportSessionRow]
    total: int
    next_cursor: str | None
    estimated_remaining: int
    """Sessions after this page, counted up to ``REMAINING_COUNT_CAP``."""


REMAINING_COUNT_CAP = 500
"""Counting what is left stops here (Fleetio's estimated_remaining_count): the count stays cheap."""
SORT_COLUMNS = {
    "created_at": ImportSessionRow.created_at,
    "updated_at": ImportSessionRow.updated_at,
    "id": ImportSessionRow.id,
}


def list_sessions(
    db: sa.orm.Session,
    organization_id: str,
    wanted: SessionFilter,
    sort: SessionSort,
    now: datetime,
    page: int,
    size: int,
    cursor: str | None,
) -> SessionListing:
    """One page (offset ``page`` or keyset ``cursor``) and the total matching ``wanted``."""
    where = [ImportSessionRow.organization_id == organization_id, *filter_conditions(wanted, now)]
    column: sa.orm.InstrumentedAttribute[Any] = SORT_COLUMNS[sort.value.lstrip("-")]
    descending = sort.value.startswith("-")
    offset = min((max(page, 1) - 1) * size, MAX_SQL_OFFSET)
    keyset: list[sa.ColumnElement[bool]] = []
    if cursor is not None:
        keyset.append(_after(column, descending, *decode_cursor(cursor, sort)))
        offset = 0
    order: list[sa.UnaryExpression[Any]] = (
        [column.desc(), ImportSessionRow.id.desc()]
        if descending
        else [column.asc(), ImportSessionRow.id.asc()]
    )
    total = db.scalar(sa.select(sa.func.count()).select_from(ImportSessionRow).where(*where)) or 0
    query = (
        sa.select(ImportSessionRow)
        .where(*where, *keyset)
        .order_by(*order)
        .offset(offset)
        .limit(size + 1)
    )
    rows = list(db.scalars(query).all())
    more = len(rows) > size
    rows = rows[:size]
    last = rows[-1] if rows else None
    next_cursor = encode_cursor(last) if more and last is not None else None
    if cursor is None:  # an offset page: what follows it is known from the total
        remaining = max(total - offset - len(rows), 0)
    elif next_cursor is None or last is None:
        remaining = 0
    else:
        after_last = _after(column, descending, getattr(last, column.key), last.id)
        capped = sa.select(ImportSessionRow.id).where(*where, after_last).limit(REMAINING_COUNT_CAP)
        remaining = db.scalar(sa.select(sa.func.count()).select_from(capped.subquery())) or 0
    return SessionListing(rows, total, next_cursor, min(remaining, REMAINING_COUNT_CAP))


def filter_conditions(wanted: SessionFilter, now: datetime) -> list[sa.ColumnElement[bool]]:
    """``expired`` is computed (past ``expires_at`` and never submitted),
    so it is a condition, not a value."""
    conditions: list[sa.ColumnElement[bool]] = []
    unexpired = sa.or_(
        ImportSessionRow.expires_at > now, ImportSessionRow.status.in_(list(NEVER_EXPIRE_STATUSES))
    )
    stored = [s.value for s in wanted.statuses if s is not SessionStatus.EXPIRED]
    if wanted.statuses:
        either: list[sa.ColumnElement[bool]] = []
        if stored:
            either.append(sa.and_(ImportSessionRow.status.in_(stored), unexpired))
        if SessionStatus.EXPIRED in wanted.statuses:
            either.append(sa.not_(unexpired))
        conditions.append(sa.or_(*either))
    elif not wanted.include_expired:
        conditions.append(unexpired)
    if wanted.template_id:
        conditions.append(ImportSessionRow.template_id == wanted.template_id)
    if wanted.user_id:
        conditions.append(ImportSessionRow.user_id == wanted.user_id)
    if wanted.session_id:
        conditions.append(ImportSessionRow.id == wanted.session_id)
    conditions += _range_conditions(ImportSessionRow.created_at, wanted.created_at)
    conditions += _range_conditions(ImportSessionRow.updated_at, wanted.updated_at)
    conditions += _range_conditions(ImportSessionRow.processing_finished_at, wanted.processed_at)
    return conditions


def _after(
    column: sa.orm.InstrumentedAttribute[Any],
    descending: bool,
    value: datetime | str,
    session_id: str,
) -> sa.ColumnElement[bool]:
    """Rows strictly after (value, id) in the list's order."""
    if descending:
        return (column < value) | ((column == value) & (ImportSessionRow.id < session_id))
    return (column > value) | ((column == value) & (ImportSessionRow.id > session_id))


def _range_conditions(
    column: sa.orm.InstrumentedAttribute[Any], bounds: TimeRange | None
) -> list[sa.ColumnElement[bool]]:
    if bounds is None:
        return []
    conditions: list[sa.ColumnElement[bool]] = []
    for name, value in bounds.model_dump().items():
        if value is None:
            continue
        bound = naive_utc(value)
        operators = {
            "lt": column < bound,
            "lte": column <= bound,
            "gt": column > bound,
            "gte": column >= bound,
        }
        conditions.append(operators[name])
    return conditions


def naive_utc(value: datetime) -> datetime:
    """UTC without tzinfo, as stored; a bound past year 1 or 9999 once in UTC
    (0001-01-01T00:00+14:00) is the limit."""
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        return datetime.min if value.year == 1 else datetime.max


def encode_cursor(last: ImportSessionRow) -> str:
    """The position just after ``last``, under any sort."""
    return f"{_microseconds(last.created_at)}.{_microseconds(last.updated_at)}.{last.id}"


def decode_cursor(cursor: str, sort: SessionSort) -> tuple[datetime | str, str]:
    """The (sort value, id) a cursor stands for under ``sort``."""
    if re.fullmatch(CURSOR_PATTERN, cursor) is None:
        raise InvalidCursorError(
            "cursor is not one this API handed out: expected CREATED.UPDATED.SESSION_ID"
        )
    created, updated, session_id = cursor.split(".")
    by = sort.value.lstrip("-")
    if by == "id":
        return session_id, session_id
    return EPOCH + timedelta(microseconds=int(created if by == "created_at" else updated)), (
        session_id
    )


def _microseconds(value: datetime) -> int:
    return (naive_utc(value) - EPOCH) // timedelta(microseconds=1)
