"""keep assignment history, objections, extension requests and feedback with files

Assignments get their original due date (the one-month extension cap counts from it), the
first-progress due date and the last progress report; the status "objected"; and checks
that a finished date goes with an accepted result. Existing assignments get one history
row saying their earlier steps were not recorded.

Revision ID: 5c7d2e9b41f0
Revises: 1a2e33480a43
Create Date: 2026-11-26 10:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c7d2e9b41f0'
down_revision = '1a2e33480a43'
branch_labels = None
depends_on = None

OLD_STATUSES = "'assigned', 'acknowledged', 'in_progress', 'submitted', 'accepted', 'returned', 'cancelled'"
NEW_STATUSES = "'assigned', 'acknowledged', 'objected', 'in_progress', 'submitted', 'accepted', 'returned', 'cancelled'"


def upgrade():
    op.create_table('assignment_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=50), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.CheckConstraint("action IN ('assign', 'acknowledge', 'object', 'uphold_objection', 'reject_objection', 'progress', 'resume', 'submit_result', 'accept', 'return_result', 'request_extension', 'grant_extension', 'refuse_extension', 'change_due_date', 'cancel')", name=op.f('ck_assignment_events_action')),
    sa.CheckConstraint("from_status IN ('assigned', 'acknowledged', 'objected', 'in_progress', 'submitted', 'accepted', 'returned', 'cancelled')", name=op.f('ck_assignment_events_from_status')),
    sa.CheckConstraint("to_status IN ('assigned', 'acknowledged', 'objected', 'in_progress', 'submitted', 'accepted', 'returned', 'cancelled')", name=op.f('ck_assignment_events_to_status')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_assignment_events_account_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_assignment_events_assignment_id_assignments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_events'))
    )
    with op.batch_alter_table('assignment_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_events_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_events_assignment_id'), ['assignment_id'], unique=False)

    op.create_table('extension_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('due_on_before', sa.Date(), nullable=False),
    sa.Column('proposed_due_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('granted_due_on', sa.Date(), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=False),
    sa.Column('cap_override_reason', sa.Text(), nullable=False),
    sa.CheckConstraint("(state = 'granted' AND granted_due_on > due_on_before) OR (state <> 'granted' AND granted_due_on IS NULL)", name=op.f('ck_extension_requests_granted_date_when_granted')),
    sa.CheckConstraint("state IN ('requested', 'granted', 'refused', 'lapsed')", name=op.f('ck_extension_requests_state')),
    sa.CheckConstraint("trim(reason) <> ''", name=op.f('ck_extension_requests_reason_not_blank')),
    sa.CheckConstraint('proposed_due_on > due_on_before', name=op.f('ck_extension_requests_proposed_after_due')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_extension_requests_assignment_id_assignments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extension_requests'))
    )
    with op.batch_alter_table('extension_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extension_requests_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index('uq_extension_requests_one_pending', ['assignment_id'], unique=True, sqlite_where=sa.text("state = 'requested'"), postgresql_where=sa.text("state = 'requested'"))

    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=50), nullable=False),
    sa.Column('signer_id', sa.Integer(), nullable=True),
    sa.Column('signer_duty', sa.String(length=20), nullable=True),
    sa.CheckConstraint("kind <> 'result' OR (signer_id IS NOT NULL AND signer_duty IS NOT NULL)", name=op.f('ck_feedback_result_is_signed')),
    sa.CheckConstraint("kind IN ('progress', 'result')", name=op.f('ck_feedback_kind')),
    sa.CheckConstraint("signer_duty IN ('principal_leader', 'leader_in_charge')", name=op.f('ck_feedback_signer_duty')),
    sa.CheckConstraint("trim(text) <> ''", name=op.f('ck_feedback_text_not_blank')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_feedback_account_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_feedback_assignment_id_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signer_id'], ['staff.id'], name=op.f('fk_feedback_signer_id_staff'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback'))
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_signer_id'), ['signer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_submitted_at'), ['submitted_at'], unique=False)

    op.create_table('objections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('subject', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('decision_comment', sa.Text(), nullable=False),
    sa.CheckConstraint("state IN ('pending', 'upheld', 'rejected', 'lapsed')", name=op.f('ck_objections_state')),
    sa.CheckConstraint("subject IN ('assignment', 'deadline')", name=op.f('ck_objections_subject')),
    sa.CheckConstraint("trim(reason) <> ''", name=op.f('ck_objections_reason_not_blank')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_objections_assignment_id_assignments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objections')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_objections_assignment_id'))
    )
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feedback_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("trim(original_name) <> ''", name=op.f('ck_attachments_original_name_not_blank')),
    sa.CheckConstraint('size >= 0', name=op.f('ck_attachments_size_not_negative')),
    sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], name=op.f('fk_attachments_feedback_id_feedback'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_attachments_stored_name'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_feedback_id'), ['feedback_id'], unique=False)

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('original_due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('progress_due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('last_progress_on', sa.Date(), nullable=True))

    op.execute("UPDATE assignments SET original_due_on = due_on")
    op.execute("UPDATE assignments SET finished_on = NULL WHERE status <> 'accepted'")
    op.execute(
        "UPDATE assignments SET finished_on = due_on"
        " WHERE status = 'accepted' AND finished_on IS NULL"
    )
    op.execute(
        "INSERT INTO assignment_events"
        " (assignment_id, at, actor_name, action, from_status, to_status, comment)"
        " SELECT a.id, d.created_at, '', 'assign', NULL, a.status, '此前的办理过程未留痕'"
        " FROM assignments a JOIN directives d ON d.id = a.directive_id"
    )

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.alter_column('original_due_on', existing_type=sa.Date(), nullable=False)
        batch_op.drop_constraint(batch_op.f('ck_assignments_status'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_assignments_status'), f"status IN ({NEW_STATUSES})"
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_assignments_due_not_before_original'), "due_on >= original_due_on"
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_assignments_finished_when_accepted'),
            "(status = 'accepted' AND finished_on IS NOT NULL)"
            " OR (status <> 'accepted' AND finished_on IS NULL)",
        )


def downgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_feedback_id'))

    op.drop_table('attachments')
    op.drop_table('objections')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_feedback_signer_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_assignment_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_account_id'))

    op.drop_table('feedback')
    with op.batch_alter_table('extension_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_extension_requests_one_pending', sqlite_where=sa.text("state = 'requested'"), postgresql_where=sa.text("state = 'requested'"))
        batch_op.drop_index(batch_op.f('ix_extension_requests_assignment_id'))

    op.drop_table('extension_requests')
    with op.batch_alter_table('assignment_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_events_assignment_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_events_account_id'))

    op.drop_table('assignment_events')

    op.execute("UPDATE assignments SET status = 'acknowledged' WHERE status = 'objected'")
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_assignments_finished_when_accepted'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_assignments_due_not_before_original'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_assignments_status'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_assignments_status'), f"status IN ({OLD_STATUSES})"
        )
        batch_op.drop_column('last_progress_on')
        batch_op.drop_column('progress_due_on')
        batch_op.drop_column('original_due_on')
