"""attach the file of an information report (its Word file or PDF) as an attachment

Revision ID: cad10cd2f938
Revises: b4edd2c2bb29
Create Date: 2026-12-06 20:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cad10cd2f938'
down_revision = "6e43d2852c62"
branch_labels = None
depends_on = None

ONE_OWNER = (
    "(CASE WHEN feedback_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN directive_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN report_id IS NULL THEN 0 ELSE 1 END) = 1"
)


def upgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_attachments_report_id'), ['report_id'], unique=True)
        batch_op.create_foreign_key(
            batch_op.f('fk_attachments_report_id_reports'),
            'reports',
            ['report_id'],
            ['id'],
            ondelete='CASCADE',
        )
        batch_op.drop_constraint(batch_op.f('ck_attachments_feedback_or_directive'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_attachments_one_owner'), ONE_OWNER)


def downgrade():
    op.execute("DELETE FROM attachments WHERE report_id IS NOT NULL")
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_attachments_one_owner'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_attachments_feedback_or_directive'),
            "(feedback_id IS NULL) <> (directive_id IS NULL)",
        )
        batch_op.drop_constraint(batch_op.f('fk_attachments_report_id_reports'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_attachments_report_id'))
        batch_op.drop_column('report_id')
