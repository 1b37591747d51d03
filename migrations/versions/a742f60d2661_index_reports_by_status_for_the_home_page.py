"""index reports by status for the home page

Revision ID: a742f60d2661
Revises: 019e8eeb79a5
Create Date: 2026-12-06 21:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "a742f60d2661"
down_revision = "aa3efefb1bf6"
branch_labels = None
depends_on = None


# The home page counts the reports waiting for an answer by unit and lists the oldest few:
# (status, unit_id) counts them from the index alone, (status, submitted_at, id) reads the
# oldest in order. The first also serves every lookup the single-column status index did.
# Plain CREATE INDEX: no table is recreated on SQLite (its search triggers stay).


def upgrade():
    op.create_index("ix_reports_status_unit_id", "reports", ["status", "unit_id"])
    op.create_index(
        "ix_reports_status_submitted_at", "reports", ["status", "submitted_at", "id"]
    )
    op.drop_index("ix_reports_status", table_name="reports")


def downgrade():
    op.create_index("ix_reports_status", "reports", ["status"])
    op.drop_index("ix_reports_status_submitted_at", table_name="reports")
    op.drop_index("ix_reports_status_unit_id", table_name="reports")
