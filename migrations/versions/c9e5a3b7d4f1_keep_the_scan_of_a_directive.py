"""keep the scan of a directive's written instruction as an attachment of the directive

Revision ID: c9e5a3b7d4f1
Revises: b8d4f2a6c3e9
Create Date: 2026-12-06 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c9e5a3b7d4f1'
down_revision = 'b8d4f2a6c3e9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('directive_id', sa.Integer(), nullable=True))
        batch_op.alter_column('feedback_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_attachments_directive_id'), ['directive_id'])
        batch_op.create_foreign_key(
            batch_op.f('fk_attachments_directive_id_directives'),
            'directives',
            ['directive_id'],
            ['id'],
            ondelete='CASCADE',
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_attachments_feedback_or_directive'),
            "(feedback_id IS NULL) <> (directive_id IS NULL)",
        )


def downgrade():
    op.execute("DELETE FROM attachments WHERE directive_id IS NOT NULL")
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_attachments_feedback_or_directive'), type_='check')
        batch_op.drop_constraint(
            batch_op.f('fk_attachments_directive_id_directives'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_attachments_directive_id'))
        batch_op.alter_column('feedback_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('directive_id')
