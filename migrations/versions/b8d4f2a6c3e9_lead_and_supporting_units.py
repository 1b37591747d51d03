"""lead and supporting units: how each unit takes part in a directive

Every assignment so far leads (each unit handled its own part, and all of them closed the
directive), which is what `lead` means for a directive without supporting units.

Revision ID: b8d4f2a6c3e9
Revises: a7c3e1f9d2b8
Create Date: 2026-12-06 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8d4f2a6c3e9'
down_revision = 'a7c3e1f9d2b8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('part', sa.String(length=10), nullable=False, server_default='lead')
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_assignments_part'), "part IN ('lead', 'support')"
        )


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_assignments_part'), type_='check')
        batch_op.drop_column('part')
