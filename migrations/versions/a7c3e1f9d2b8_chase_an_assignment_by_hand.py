"""chase an assignment by hand (催办): a step of its history and a kind of notice

Revision ID: a7c3e1f9d2b8
Revises: 96d68b126b27
Create Date: 2026-12-06 18:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7c3e1f9d2b8'
down_revision = '96d68b126b27'
branch_labels = None
depends_on = None

OLD_ACTIONS = (
    "'assign', 'acknowledge', 'object', 'uphold_objection', 'reject_objection', 'progress', "
    "'resume', 'submit_result', 'accept', 'return_result', 'request_extension', "
    "'grant_extension', 'refuse_extension', 'change_due_date', 'cancel'"
)
OLD_KINDS = "'reminder', 'chase', 'escalation', 'bulletin', 'bottom', 'digest'"


def _checks(actions, kinds):
    with op.batch_alter_table('assignment_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_assignment_events_action'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_assignment_events_action'), f"action IN ({actions})"
        )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notices_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notices_kind'), f"kind IN ({kinds})")


def upgrade():
    _checks(OLD_ACTIONS + ", 'chase'", OLD_KINDS + ", 'office_chase'")


def downgrade():
    op.execute("DELETE FROM notices WHERE kind = 'office_chase'")
    op.execute("DELETE FROM assignment_events WHERE action = 'chase'")
    _checks(OLD_ACTIONS, OLD_KINDS)
