"""keep the monthly directive reports as filed

Revision ID: e6f4a0b5d2c7
Revises: d5e3f9a4c1b6
Create Date: 2026-12-03 15:10:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'e6f4a0b5d2c7'
down_revision = 'd5e3f9a4c1b6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('directive_report_filings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('filed_by', sa.String(length=50), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_directive_report_filings_account_id_accounts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directive_report_filings'))
    )
    with op.batch_alter_table('directive_report_filings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directive_report_filings_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_directive_report_filings_month'), ['month'], unique=False)


def downgrade():
    with op.batch_alter_table('directive_report_filings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directive_report_filings_month'))
        batch_op.drop_index(batch_op.f('ix_directive_report_filings_account_id'))

    op.drop_table('directive_report_filings')
