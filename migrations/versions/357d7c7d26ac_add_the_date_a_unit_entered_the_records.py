"""add the date a unit entered the records

Revision ID: 357d7c7d26ac
Revises: 4e63f0d2120e
Create Date: 2026-11-26 10:45:47.818938

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '357d7c7d26ac'
down_revision = '4e63f0d2120e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_on', sa.Date(), nullable=True))
    # Units already on record are not new in any ranking.
    op.execute("UPDATE units SET created_on = '2000-01-01'")
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.alter_column('created_on', existing_type=sa.Date(), nullable=False)



def downgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('created_on')

