"""session store: sessions, files, corrections, remembered mappings

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "corrections",
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("row_index", sa.Integer(), nullable=False),
        sa.Column("column", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("corrected_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "row_index", "column"),
    )
    op.create_table(
        "import_sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("template_id", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=512), nullable=False),
        sa.Column("file_type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_detail", sa.Text(), nullable=True),
        sa.Column("numeric_locale", sa.String(length=8), nullable=True),
        sa.Column("actor_type", sa.String(length=16), nullable=False),
        sa.Column("actor_api_key_id", sa.String(length=36), nullable=True),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("valid_rows", sa.Integer(), nullable=False),
        sa.Column("error_rows", sa.Integer(), nullable=False),
        sa.Column("source_columns", sa.JSON(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=True),
        sa.Column("value_mapping", sa.JSON(), nullable=True),
        sa.Column("errors_by_column", sa.JSON(), nullable=True),
        sa.Column("submitted_file_id", sa.String(length=36), nullable=True),
        sa.Column("processing_job_id", sa.String(length=64), nullable=True),
        sa.Column("raw_file_id", sa.String(length=36), nullable=True),
        sa.Column("project_id", sa.String(length=64), nullable=True),
        sa.Column("folder_id", sa.String(length=64), nullable=True),
        sa.Column("selected_sheet", sa.String(length=256), nullable=True),
        sa.Column("sheets", sa.JSON(), nullable=False),
        sa.Column("detected_header_row", sa.Integer(), nullable=False),
        sa.Column("parse_info", sa.JSON(), nullable=False),
        sa.Column("artifacts", sa.JSON(), nullable=False),
        sa.Column("submission", sa.JSON(), nullable=True),
        sa.Column("processing_status", sa.String(length=24), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("import_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_import_sessions_org_created", ["organization_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_import_sessions_org_status", ["organization_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_import_sessions_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "remembered_mappings",
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("template_id", sa.String(length=64), nullable=False),
        sa.Column("template_column", sa.String(length=64), nullable=False),
        sa.Column("source_column", sa.String(length=512), nullable=False),
        sa.Column("times_confirmed", sa.Integer(), nullable=False),
        sa.Column("last_confirmed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "organization_id", "template_id", "template_column", "source_column"
        ),
    )
    op.create_table(
        "stored_files",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("file_name", sa.String(length=512), nullable=False),
        sa.Column("relative_path", sa.String(length=1024), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stored_files_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_stored_files_session_id"), ["session_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_files_session_id"))
        batch_op.drop_index(batch_op.f("ix_stored_files_organization_id"))

    op.drop_table("stored_files")
    op.drop_table("remembered_mappings")
    with op.batch_alter_table("import_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_sessions_organization_id"))
        batch_op.drop_index("ix_import_sessions_org_status")
        batch_op.drop_index("ix_import_sessions_org_created")

    op.drop_table("import_sessions")
    op.drop_table("corrections")
