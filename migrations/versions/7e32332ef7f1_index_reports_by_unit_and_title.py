"""index reports by unit and title for imports

An import names a report by its title, unit and day: without this index, matching a
chunk of rows read every report of the chunk's units.

Revision ID: 7e32332ef7f1
Revises: 745211199bc8
Create Date: 2026-11-26 12:16:16.159472

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7e32332ef7f1'
down_revision = '745211199bc8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_unit_id_title', ['unit_id', 'title'], unique=False)


def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_unit_id_title')

