"""add deadline rules and the working-day calendar

The rules table starts with the rules quoted in the office's documents (the same rows as
models.deadlines.DEFAULT_RULES; migrations do not import the app).

Revision ID: 1a2e33480a43
Revises: a8d50aef6d02
Create Date: 2026-11-26 10:43:20.043785

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1a2e33480a43'
down_revision = 'a8d50aef6d02'
branch_labels = None
depends_on = None

DEFAULT_RULES = [
    ("central", False, "result", "calendar_days", 15, "中央领导批示件15日内办结"),
    ("province", False, "result", "calendar_days", 15, "省领导批示件15日内办结"),
    ("city", False, "result", "months", 1, "市领导批示件一个月内办结"),
    ("county", False, "result", "months", 1, "县领导批示件一个月内办结"),
    ("any", True, "first_progress", "calendar_days", 7, "急件一周内反馈办理进展"),
]


def upgrade():
    op.create_table('calendar_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.CheckConstraint("kind IN ('holiday', 'workday')", name=op.f('ck_calendar_days_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_days')),
    sa.UniqueConstraint('day', name=op.f('uq_calendar_days_day'))
    )
    op.create_table('deadline_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=20), nullable=False),
    sa.Column('leader_level', sa.String(length=20), nullable=False),
    sa.Column('urgent_only', sa.Boolean(), nullable=False),
    sa.Column('counting', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.CheckConstraint("counting IN ('calendar_days', 'working_days', 'months')", name=op.f('ck_deadline_rules_counting')),
    sa.CheckConstraint("leader_level IN ('any', 'central', 'province', 'city', 'county')", name=op.f('ck_deadline_rules_leader_level')),
    sa.CheckConstraint("target IN ('result', 'first_progress')", name=op.f('ck_deadline_rules_target')),
    sa.CheckConstraint('amount > 0 AND amount <= 366', name=op.f('ck_deadline_rules_amount_in_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_rules')),
    sa.UniqueConstraint('target', 'leader_level', 'urgent_only', name=op.f('uq_deadline_rules_target_leader_level_urgent_only'))
    )
    rules = sa.table(
        "deadline_rules",
        sa.column("leader_level", sa.String),
        sa.column("urgent_only", sa.Boolean),
        sa.column("target", sa.String),
        sa.column("counting", sa.String),
        sa.column("amount", sa.Integer),
        sa.column("note", sa.String),
    )
    keys = ("leader_level", "urgent_only", "target", "counting", "amount", "note")
    op.bulk_insert(rules, [dict(zip(keys, row)) for row in DEFAULT_RULES])


def downgrade():
    op.drop_table('deadline_rules')
    op.drop_table('calendar_days')
