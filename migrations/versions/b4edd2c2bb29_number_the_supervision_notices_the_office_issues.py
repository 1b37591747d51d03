"""number the supervision notices the office issues (督办〔2026〕3号): given once, kept

Revision ID: b4edd2c2bb29
Revises: c9e5a3b7d4f1
Create Date: 2026-12-06 18:05:00.905124

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4edd2c2bb29'
down_revision = 'c9e5a3b7d4f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document_numbers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('directive_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_by_name', sa.String(length=50), nullable=False),
    sa.CheckConstraint("kind IN ('supervision')", name=op.f('ck_document_numbers_kind')),
    sa.CheckConstraint('serial >= 1', name=op.f('ck_document_numbers_serial_positive')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2099', name=op.f('ck_document_numbers_year_in_range')),
    sa.ForeignKeyConstraint(['directive_id'], ['directives.id'], name=op.f('fk_document_numbers_directive_id_directives'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['accounts.id'], name=op.f('fk_document_numbers_issued_by_id_accounts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_numbers')),
    sa.UniqueConstraint('kind', 'directive_id', name=op.f('uq_document_numbers_kind_directive_id')),
    sa.UniqueConstraint('kind', 'year', 'serial', name=op.f('uq_document_numbers_kind_year_serial'))
    )
    with op.batch_alter_table('document_numbers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_numbers_issued_by_id'), ['issued_by_id'], unique=False)



def downgrade():
    with op.batch_alter_table('document_numbers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_numbers_issued_by_id'))

    op.drop_table('document_numbers')
