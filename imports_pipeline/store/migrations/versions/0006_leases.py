"""leases on long steps, so a step whose process died is recovered instead of blocking for good

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("import_sessions", sa.Column("lease", sa.JSON(), nullable=True))
    op.add_column("idempotency_keys", sa.Column("holder", sa.String(length=160), nullable=True))


def downgrade() -> None:
    op.drop_column("idempotency_keys", "holder")
    op.drop_column("import_sessions", "lease")
