"""keep the quarterly summaries (季度小结) as filed

Revision ID: 7d2e4b9c1a30
Revises: c3a9e5d1f7b2
Create Date: 2026-12-07 00:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d2e4b9c1a30'
down_revision = 'c3a9e5d1f7b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quarter_filings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('ranking_group', sa.String(length=20), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('filed_by', sa.String(length=50), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_quarter_filings_account_id_accounts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarter_filings'))
    )
    with op.batch_alter_table('quarter_filings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarter_filings_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_quarter_filings_period_group', ['period', 'ranking_group'], unique=False)


def downgrade():
    with op.batch_alter_table('quarter_filings', schema=None) as batch_op:
        batch_op.drop_index('ix_quarter_filings_period_group')
        batch_op.drop_index(batch_op.f('ix_quarter_filings_account_id'))

    op.drop_table('quarter_filings')
