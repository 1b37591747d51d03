"""grade rules and the year-end evaluations as filed

Revision ID: aa3efefb1bf6
Revises: 019e8eeb79a5
Create Date: 2026-12-06 21:20:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'aa3efefb1bf6'
down_revision = "49c286b9a695"
branch_labels = None
depends_on = None

GRADE_RULE_KEYS = (
    'excellent_share', 'excellent_points', 'excellent_quota', 'good_share', 'good_points',
    'poor_bottom', 'poor_points', 'criticisms_lower', 'criticisms_cap',
)


def upgrade():
    op.create_table('grade_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=30), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.CheckConstraint(
        'key IN ({})'.format(', '.join(f"'{k}'" for k in GRADE_RULE_KEYS)),
        name=op.f('ck_grade_rules_key'),
    ),
    sa.CheckConstraint('value >= 0', name=op.f('ck_grade_rules_value_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grade_rules')),
    sa.UniqueConstraint('key', 'valid_from', name=op.f('uq_grade_rules_key_valid_from'))
    )
    op.create_table('evaluation_filings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('ranking_group', sa.String(length=20), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('filed_by', sa.String(length=50), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_evaluation_filings_year_in_range')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_evaluation_filings_account_id_accounts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_filings'))
    )
    with op.batch_alter_table('evaluation_filings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_filings_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_evaluation_filings_year_group', ['year', 'ranking_group'], unique=False)


def downgrade():
    with op.batch_alter_table('evaluation_filings', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_filings_year_group')
        batch_op.drop_index(batch_op.f('ix_evaluation_filings_account_id'))

    op.drop_table('evaluation_filings')
    op.drop_table('grade_rules')
