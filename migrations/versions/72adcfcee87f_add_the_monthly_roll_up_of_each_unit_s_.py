"""add the monthly roll-up of each unit's figures

Revision ID: 72adcfcee87f
Revises: ff1704d0dbbc
Create Date: 2026-11-26 12:28:28.595390

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '72adcfcee87f'
down_revision = 'ff1704d0dbbc'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('unit_months',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('submitted', sa.Integer(), nullable=False),
    sa.Column('adopted', sa.Integer(), nullable=False),
    sa.Column('county', sa.Integer(), nullable=False),
    sa.Column('city', sa.Integer(), nullable=False),
    sa.Column('province', sa.Integer(), nullable=False),
    sa.Column('central', sa.Integer(), nullable=False),
    sa.Column('adoption_points', sa.Integer(), nullable=False),
    sa.Column('bonus', sa.Integer(), nullable=False),
    sa.Column('deducted', sa.Integer(), nullable=False),
    sa.Column('late', sa.Integer(), nullable=False),
    sa.Column('missed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_months_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('unit_id', 'month', name=op.f('pk_unit_months'))
    )
    with op.batch_alter_table('unit_months', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_months_month'), ['month'], unique=False)

    # Fill it from the records already there. The roll-up's own code does it (once, here),
    # so the figures are the ones the app keeps current from now on.
    from models.rollup import rebuild

    rebuild(op.get_bind())



def downgrade():
    with op.batch_alter_table('unit_months', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_months_month'))

    op.drop_table('unit_months')
