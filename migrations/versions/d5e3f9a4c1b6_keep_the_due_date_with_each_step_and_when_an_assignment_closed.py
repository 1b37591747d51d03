"""keep the due date with each step of an assignment's history, and when it closed

Revision ID: d5e3f9a4c1b6
Revises: c4d2e8f3b0a5
Create Date: 2026-12-03 14:40:00

The steps recorded before kept a changed due date only in their comment ("2026-10-01 →
2026-10-20 reason", imported steps prefixed "导入；"): each step gets the due date the
assignment had after it, read back from those comments. An assignment accepted or
cancelled gets the time of that step; the steps are indexed by assignment and time.
"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5e3f9a4c1b6'
down_revision = 'c4d2e8f3b0a5'
branch_labels = None
depends_on = None

DUE_CHANGES = ('change_due_date', 'grant_extension', 'uphold_objection')
NOTE = re.compile(r'(\d{4}-\d{2}-\d{2}) → (\d{4}-\d{2}-\d{2})')

events = sa.table(
    'assignment_events',
    sa.column('id', sa.Integer),
    sa.column('assignment_id', sa.Integer),
    sa.column('at', sa.DateTime),
    sa.column('action', sa.String),
    sa.column('comment', sa.Text),
    sa.column('due_on', sa.Date),
    sa.column('to_status', sa.String),
)
assignments = sa.table(
    'assignments',
    sa.column('id', sa.Integer),
    sa.column('due_on', sa.Date),
    sa.column('closed_at', sa.DateTime),
)


def _date(text):
    import datetime as dt

    return dt.date.fromisoformat(text)


def _dues(steps, current):
    """The due date after each step, from the first change's old date on."""
    changes = [(step, NOTE.search(step.comment or '')) for step in steps]
    changes = [(step, m) for step, m in changes if step.action in DUE_CHANGES and m]
    due = _date(changes[0][1][1]) if changes else current
    new = {step.id: _date(m[2]) for step, m in changes}
    for step in steps:
        due = new.get(step.id, due)
        yield step.id, due


def upgrade():
    with op.batch_alter_table('assignment_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))
        batch_op.drop_index(batch_op.f('ix_assignment_events_assignment_id'))
        batch_op.create_index('ix_assignment_events_assignment_id_at', ['assignment_id', 'at', 'id'], unique=False)
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    closed = (
        sa.select(sa.func.max(events.c.at))
        .where(
            events.c.assignment_id == assignments.c.id,
            events.c.to_status.in_(('accepted', 'cancelled')),
        )
        .scalar_subquery()
    )
    op.get_bind().execute(assignments.update().values(closed_at=closed))

    bind = op.get_bind()
    current = dict(bind.execute(sa.select(assignments.c.id, assignments.c.due_on)).all())
    rows = bind.execute(
        sa.select(events.c.id, events.c.assignment_id, events.c.action, events.c.comment)
        .order_by(events.c.assignment_id, events.c.at, events.c.id)
    ).all()
    updates, start = [], 0
    for end in range(1, len(rows) + 1):
        if end == len(rows) or rows[end].assignment_id != rows[start].assignment_id:
            steps = rows[start:end]
            due_now = current.get(steps[0].assignment_id)
            updates += [{'step': i, 'due': d} for i, d in _dues(steps, due_now)]
            start = end
    if updates:
        bind.execute(
            events.update().where(events.c.id == sa.bindparam('step')).values(due_on=sa.bindparam('due')),
            updates,
        )


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
    with op.batch_alter_table('assignment_events', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_events_assignment_id_at')
        batch_op.create_index(batch_op.f('ix_assignment_events_assignment_id'), ['assignment_id'], unique=False)
        batch_op.drop_column('due_on')
