"""index the assignments waiting on their units by due date and unit (the home page's
deadlines counted from the index alone)

Revision ID: b7c1d9e3f5a2
Revises: a4f8c2d6e1b9
Create Date: 2026-12-07 09:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7c1d9e3f5a2"
down_revision = "a4f8c2d6e1b9"
branch_labels = None
depends_on = None

# The statuses waiting on a unit (models/steps.py WAITING_ON_UNIT), as they are today.
WHERE = sa.text(
    "status IN ('assigned', 'acknowledged', 'objected', 'in_progress', 'returned')"
)


def upgrade():
    op.create_index(
        "ix_assignments_waiting_due",
        "assignments",
        ["due_on", "unit_id"],
        unique=False,
        postgresql_where=WHERE,
        sqlite_where=WHERE,
    )


def downgrade():
    op.drop_index("ix_assignments_waiting_due", table_name="assignments")
