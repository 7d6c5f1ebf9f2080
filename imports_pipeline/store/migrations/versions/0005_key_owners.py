"""the person behind an API key, for imported_by

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("api_keys", sa.Column("full_name", sa.String(length=256), nullable=True))
    op.add_column("api_keys", sa.Column("email", sa.String(length=320), nullable=True))


def downgrade() -> None:
    op.drop_column("api_keys", "email")
    op.drop_column("api_keys", "full_name")
