"""outbox: message ids, claims, job ids and the scan log

Every notice gets a Message-ID chosen once (the same on every attempt), the time its
last attempt started (for the sweeper) and the RQ job last asked to send it; rules on
the states become CHECK constraints; notice_scans records each scan.

Revision ID: a8d50aef6d02
Revises: 77ab26617d28
Create Date: 2026-11-26 10:43:09.650555

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a8d50aef6d02'
down_revision = '77ab26617d28'
branch_labels = None
depends_on = None

CHECKS = {
    'waiting_has_next_attempt': "state NOT IN ('queued', 'retry') OR next_attempt_at IS NOT NULL",
    'sending_claimed': "state <> 'sending' OR claimed_at IS NOT NULL",
    'sent_has_sent_at': "state <> 'sent' OR sent_at IS NOT NULL",
    'address_unless_failed': "state = 'failed' OR trim(recipient_email) <> ''",
}


def upgrade():
    op.create_table('notice_scans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ran_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('scan_date', sa.Date(), nullable=False),
    sa.Column('notices_created', sa.Integer(), nullable=False),
    sa.CheckConstraint('notices_created >= 0', name=op.f('ck_notice_scans_created_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_scans'))
    )
    with op.batch_alter_table('notice_scans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_scans_ran_at'), ['ran_at'], unique=False)

    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('job_id', sa.String(length=64), nullable=True))

    # Rows written before this revision: give them what the new rules require.
    op.execute("UPDATE notices SET message_id = '<notice-' || id || '@ducha.invalid>'")
    op.execute("UPDATE notices SET next_attempt_at = created_at "
               "WHERE state IN ('queued', 'retry') AND next_attempt_at IS NULL")
    op.execute("UPDATE notices SET claimed_at = created_at WHERE state = 'sending'")
    op.execute("UPDATE notices SET sent_at = created_at WHERE state = 'sent' AND sent_at IS NULL")
    op.execute("UPDATE notices SET state = 'failed', last_error = 'no email address' "
               "WHERE trim(recipient_email) = '' AND state <> 'failed'")

    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.alter_column('message_id', existing_type=sa.String(length=200), nullable=False)
        batch_op.drop_index(batch_op.f('ix_notices_state'))
        batch_op.create_index('ix_notices_state_next_attempt_at', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_notices_message_id'), ['message_id'])
        for name, condition in CHECKS.items():
            batch_op.create_check_constraint(op.f(f'ck_notices_{name}'), condition)


def downgrade():
    with op.batch_alter_table('notices', schema=None) as batch_op:
        for name in CHECKS:
            batch_op.drop_constraint(op.f(f'ck_notices_{name}'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_notices_message_id'), type_='unique')
        batch_op.drop_index('ix_notices_state_next_attempt_at')
        batch_op.create_index(batch_op.f('ix_notices_state'), ['state'], unique=False)
        batch_op.drop_column('job_id')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('message_id')

    with op.batch_alter_table('notice_scans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_scans_ran_at'))

    op.drop_table('notice_scans')
