"""index assignment steps by time and assignments by when they closed (the month counted
to today reads the assignments open or closed since it began, and looks up steps only for
the few with a step dated after it)

Revision ID: a4f8c2d6e1b9
Revises: 7d2e4b9c1a30
Create Date: 2026-12-07 01:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "a4f8c2d6e1b9"
down_revision = '7d2e4b9c1a30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_assignment_events_at", "assignment_events", ["at"], unique=False)
    op.create_index("ix_assignments_closed_at", "assignments", ["closed_at"], unique=False)


def downgrade():
    op.drop_index("ix_assignments_closed_at", table_name="assignments")
    op.drop_index("ix_assignment_events_at", table_name="assignment_events")
