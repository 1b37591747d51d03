"""keep the ranking bulletins the office issues (《信息工作通报》2026年第3期)

Numbered by the document numbers of a new kind, "bulletin": given once, kept.

Revision ID: 4fd02a511467
Revises: b4edd2c2bb29
Create Date: 2026-12-06 20:20:55.363162

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4fd02a511467'
down_revision = "cad10cd2f938"
branch_labels = None
depends_on = None


KIND_CHECK = "ck_document_numbers_kind"


def upgrade():
    with op.batch_alter_table('document_numbers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(KIND_CHECK), type_='check')
        batch_op.create_check_constraint(batch_op.f(KIND_CHECK), "kind IN ('supervision', 'bulletin')")
    op.create_table('bulletins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('ranking_group', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_name', sa.String(length=50), nullable=False),
    sa.Column('number_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_by_name', sa.String(length=50), nullable=False),
    sa.CheckConstraint("(state = 'issued') = (number_id IS NOT NULL AND issued_at IS NOT NULL)", name=op.f('ck_bulletins_issued_numbered')),
    sa.CheckConstraint("ranking_group IN ('', 'township', 'department', 'county')", name=op.f('ck_bulletins_ranking_group')),
    sa.CheckConstraint("state IN ('draft', 'issued')", name=op.f('ck_bulletins_state')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['accounts.id'], name=op.f('fk_bulletins_issued_by_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['number_id'], ['document_numbers.id'], name=op.f('fk_bulletins_number_id_document_numbers'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletins')),
    sa.UniqueConstraint('number_id', name=op.f('uq_bulletins_number_id'))
    )
    with op.batch_alter_table('bulletins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulletins_issued_by_id'), ['issued_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bulletins_period'), ['period'], unique=False)



def downgrade():
    with op.batch_alter_table('bulletins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bulletins_period'))
        batch_op.drop_index(batch_op.f('ix_bulletins_issued_by_id'))

    op.drop_table('bulletins')
    op.execute("DELETE FROM document_numbers WHERE kind = 'bulletin'")
    with op.batch_alter_table('document_numbers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(KIND_CHECK), type_='check')
        batch_op.create_check_constraint(batch_op.f(KIND_CHECK), "kind IN ('supervision')")
