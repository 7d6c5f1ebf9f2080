"""what a person and an operator need to follow an import: names, codes, who changed it, runs

Revision ID: 0004
Revises: 0003
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS: dict[str, Any] = {
    "name": sa.String(length=256),
    "note": sa.Text(),
    "import_code": sa.String(length=16),
    "updated_by": sa.String(length=64),
    "dagster_run_id": sa.String(length=64),
    "processing_started_at": sa.DateTime(),
    "processing_finished_at": sa.DateTime(),
}


def upgrade() -> None:
    for name, kind in COLUMNS.items():
        op.add_column("import_sessions", sa.Column(name, kind, nullable=True))
    op.create_index(
        "ix_import_sessions_org_code",
        "import_sessions",
        ["organization_id", "import_code"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_import_sessions_org_code", table_name="import_sessions")
    for name in reversed(COLUMNS):
        op.drop_column("import_sessions", name)
