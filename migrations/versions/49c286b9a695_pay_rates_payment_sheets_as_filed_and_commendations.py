"""awards: pay rates per adopted item by level (history from a date), payment sheets as filed, commendations

Revision ID: 49c286b9a695
Revises: 019e8eeb79a5
Create Date: 2026-12-06 21:07:19.941308

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '49c286b9a695'
down_revision = "0505fef3fa15"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pay_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.CheckConstraint("kind IN ('adoption', 'instruction')", name=op.f('ck_pay_rates_kind')),
    sa.CheckConstraint("level IN ('county', 'city', 'province', 'central')", name=op.f('ck_pay_rates_level')),
    sa.CheckConstraint('amount >= 0 AND amount <= 10000.00', name=op.f('ck_pay_rates_amount_in_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pay_rates')),
    sa.UniqueConstraint('kind', 'level', 'valid_from', name=op.f('uq_pay_rates_kind_level_valid_from'))
    )
    op.create_table('award_filings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('filed_by', sa.String(length=50), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('unrated', sa.Integer(), nullable=False),
    sa.CheckConstraint('year BETWEEN 2000 AND 2099', name=op.f('ck_award_filings_year_in_range')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_award_filings_account_id_accounts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_filings'))
    )
    with op.batch_alter_table('award_filings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_filings_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_award_filings_year'), ['year'], unique=False)

    op.create_table('commendations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('document_no', sa.String(length=50), nullable=False),
    sa.Column('awarded_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("trim(document_no) <> ''", name=op.f('ck_commendations_document_no_not_blank')),
    sa.CheckConstraint("trim(title) <> ''", name=op.f('ck_commendations_title_not_blank')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2099', name=op.f('ck_commendations_year_in_range')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_commendations_staff_id_staff'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_commendations_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commendations'))
    )
    with op.batch_alter_table('commendations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commendations_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commendations_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('ix_commendations_year_unit_id', ['year', 'unit_id'], unique=False)



def downgrade():
    with op.batch_alter_table('commendations', schema=None) as batch_op:
        batch_op.drop_index('ix_commendations_year_unit_id')
        batch_op.drop_index(batch_op.f('ix_commendations_unit_id'))
        batch_op.drop_index(batch_op.f('ix_commendations_staff_id'))

    op.drop_table('commendations')
    with op.batch_alter_table('award_filings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_filings_year'))
        batch_op.drop_index(batch_op.f('ix_award_filings_account_id'))

    op.drop_table('award_filings')
    op.drop_table('pay_rates')
