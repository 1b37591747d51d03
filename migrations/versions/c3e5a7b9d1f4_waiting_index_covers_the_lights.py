"""the index of the assignments waiting on their units carries what their lights are
worked out from (PostgreSQL: INCLUDE), so a leader's red and yellow are read from it alone

Revision ID: c3e5a7b9d1f4
Revises: b7c1d9e3f5a2
Create Date: 2026-12-07 11:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c3e5a7b9d1f4"
down_revision = "b7c1d9e3f5a2"
branch_labels = None
depends_on = None

# The statuses waiting on a unit (models/steps.py WAITING_ON_UNIT), as they are today.
WHERE = sa.text(
    "status IN ('assigned', 'acknowledged', 'objected', 'in_progress', 'returned')"
)
INCLUDE = ["id", "status", "part", "progress_due_on", "last_progress_on", "directive_id"]


def _create(include):
    op.create_index(
        "ix_assignments_waiting_due",
        "assignments",
        ["due_on", "unit_id"],
        unique=False,
        postgresql_where=WHERE,
        postgresql_include=include,
        sqlite_where=WHERE,
    )


def upgrade():
    op.drop_index("ix_assignments_waiting_due", table_name="assignments")
    _create(INCLUDE)


def downgrade():
    op.drop_index("ix_assignments_waiting_due", table_name="assignments")
    _create([])
