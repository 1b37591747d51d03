"""record when a notice scan starts and when it finishes

The scan's row was written at its end, so a scan killed midway left none. It is now
written at the start (started_at, renamed from ran_at) and finished_at set at the end.

Revision ID: 3dc347c4439c
Revises: e6f4a0b5d2c7
Create Date: 2026-12-03 13:13:50.407329

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3dc347c4439c'
down_revision = 'e6f4a0b5d2c7'
branch_labels = None
depends_on = None


CHECK = 'finished_at IS NULL OR finished_at >= started_at'


def upgrade():
    with op.batch_alter_table('notice_scans', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_scans_ran_at')
        batch_op.alter_column('ran_at', new_column_name='started_at',
                              existing_type=sa.DateTime(timezone=True), existing_nullable=False)
        batch_op.add_column(sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True))

    # The rows so far were written when their scan had finished (ran_at was that moment).
    op.execute('UPDATE notice_scans SET finished_at = started_at')

    # SQLite's batch mode indexes a renamed column only in a batch of its own.
    with op.batch_alter_table('notice_scans', schema=None) as batch_op:
        batch_op.create_index('ix_notice_scans_started_at', ['started_at'], unique=False)
        batch_op.create_check_constraint(op.f('ck_notice_scans_finished_after_start'), CHECK)


def downgrade():
    # A scan that never finished was never recorded before this revision.
    op.execute('DELETE FROM notice_scans WHERE finished_at IS NULL')
    with op.batch_alter_table('notice_scans', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notice_scans_finished_after_start'), type_='check')
        batch_op.drop_index('ix_notice_scans_started_at')
        batch_op.drop_column('finished_at')
        batch_op.alter_column('started_at', new_column_name='ran_at',
                              existing_type=sa.DateTime(timezone=True), existing_nullable=False)
    with op.batch_alter_table('notice_scans', schema=None) as batch_op:
        batch_op.create_index('ix_notice_scans_ran_at', ['ran_at'], unique=False)
