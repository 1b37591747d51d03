"""add report answers, scoring rules, bonuses, deductions, quotas and solicitations

Revision ID: 4e63f0d2120e
Revises: 09db7ffdbf59
Create Date: 2026-11-26 10:35:47.809753

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4e63f0d2120e'
down_revision = '09db7ffdbf59'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('score_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=30), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('bonus', 'factor', 'deduction', 'limit')", name=op.f('ck_score_rules_kind')),
    sa.CheckConstraint('value >= 0', name=op.f('ck_score_rules_value_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_rules')),
    sa.UniqueConstraint('kind', 'key', name=op.f('uq_score_rules_kind_key'))
    )
    op.create_table('solicitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("trim(topic) <> ''", name=op.f('ck_solicitations_topic_not_blank')),
    sa.CheckConstraint('due_on >= issued_on', name=op.f('ck_solicitations_due_after_issued')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_solicitations'))
    )
    with op.batch_alter_table('solicitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_solicitations_due_on'), ['due_on'], unique=False)

    op.create_table('quotas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.CheckConstraint('items >= 0 AND points >= 0', name=op.f('ck_quotas_targets_not_negative')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_quotas_year_in_range')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_quotas_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quotas')),
    sa.UniqueConstraint('unit_id', 'year', name=op.f('uq_quotas_unit_id_year'))
    )
    op.create_table('solicitation_units',
    sa.Column('solicitation_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['solicitation_id'], ['solicitations.id'], name=op.f('fk_solicitation_units_solicitation_id_solicitations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_solicitation_units_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('solicitation_id', 'unit_id', name=op.f('pk_solicitation_units'))
    )
    op.create_table('deductions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('late_emergency', 'missed_emergency', 'content_error', 'other')", name=op.f('ck_deductions_kind')),
    sa.CheckConstraint('points >= 0', name=op.f('ck_deductions_points_not_negative')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_deductions_report_id_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_deductions_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deductions')),
    sa.UniqueConstraint('report_id', 'kind', name=op.f('uq_deductions_report_id_kind'))
    )
    with op.batch_alter_table('deductions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deductions_occurred_on'), ['occurred_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_deductions_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deductions_unit_id'), ['unit_id'], unique=False)

    op.create_table('instructions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('leader_name', sa.String(length=50), nullable=False),
    sa.Column('leader_level', sa.String(length=20), nullable=False),
    sa.Column('instructed_on', sa.Date(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.CheckConstraint("leader_level IN ('county', 'city', 'province', 'central')", name=op.f('ck_instructions_leader_level')),
    sa.CheckConstraint("trim(leader_name) <> ''", name=op.f('ck_instructions_leader_name_not_blank')),
    sa.CheckConstraint('points >= 0', name=op.f('ck_instructions_points_not_negative')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_instructions_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instructions'))
    )
    with op.batch_alter_table('instructions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instructions_instructed_on'), ['instructed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_instructions_report_id'), ['report_id'], unique=False)

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('answer_comment', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('answered_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('event_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('late', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('solicitation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_reports_solicitation_id'), ['solicitation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_reports_solicitation_id_solicitations'), 'solicitations', ['solicitation_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_reports_answered_by_id_accounts'), 'accounts', ['answered_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_reports_submitted_by_id_accounts'), 'accounts', ['submitted_by_id'], ['id'], ondelete='SET NULL')

    # Rows saved before these rules existed: give them what the new checks need.
    op.execute("UPDATE reports SET event_at = submitted_at WHERE category = 'emergency'")
    op.execute(
        "UPDATE reports SET answer_comment = '退回修改' WHERE status = 'returned' "
        "AND trim(coalesce(answer_comment, '')) = ''"
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_reports_emergency_has_event_time'), "category <> 'emergency' OR event_at IS NOT NULL")
        batch_op.create_check_constraint(
            op.f('ck_reports_event_before_report'), 'event_at IS NULL OR event_at <= submitted_at')
        batch_op.create_check_constraint(
            op.f('ck_reports_returned_has_comment'), "status <> 'returned' OR trim(coalesce(answer_comment, '')) <> ''")

    # The scoring table's starting values (the office edits them in the panel).
    rules = sa.table('score_rules', sa.column('kind', sa.String), sa.column('key', sa.String),
                     sa.column('value', sa.Integer))
    op.bulk_insert(rules, [
        {'kind': 'bonus', 'key': 'county', 'value': 10},
        {'kind': 'bonus', 'key': 'city', 'value': 30},
        {'kind': 'bonus', 'key': 'province', 'value': 40},
        {'kind': 'bonus', 'key': 'central', 'value': 50},
        {'kind': 'factor', 'key': 'research', 'value': 200},
        {'kind': 'deduction', 'key': 'late_emergency', 'value': 5},
        {'kind': 'deduction', 'key': 'missed_emergency', 'value': 10},
        {'kind': 'deduction', 'key': 'content_error', 'value': 2},
        {'kind': 'limit', 'key': 'missed_solicitations', 'value': 2},
    ])



def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_reports_returned_has_comment'), type_='check')
        batch_op.drop_constraint(op.f('ck_reports_event_before_report'), type_='check')
        batch_op.drop_constraint(op.f('ck_reports_emergency_has_event_time'), type_='check')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reports_submitted_by_id_accounts'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_reports_answered_by_id_accounts'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_reports_solicitation_id_solicitations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_reports_solicitation_id'))
        batch_op.drop_column('solicitation_id')
        batch_op.drop_column('late')
        batch_op.drop_column('event_at')
        batch_op.drop_column('answered_by_id')
        batch_op.drop_column('answered_at')
        batch_op.drop_column('answer_comment')
        batch_op.drop_column('submitted_by_id')

    with op.batch_alter_table('instructions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instructions_report_id'))
        batch_op.drop_index(batch_op.f('ix_instructions_instructed_on'))

    op.drop_table('instructions')
    with op.batch_alter_table('deductions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deductions_unit_id'))
        batch_op.drop_index(batch_op.f('ix_deductions_report_id'))
        batch_op.drop_index(batch_op.f('ix_deductions_occurred_on'))

    op.drop_table('deductions')
    op.drop_table('solicitation_units')
    op.drop_table('quotas')
    with op.batch_alter_table('solicitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_solicitations_due_on'))

    op.drop_table('solicitations')
    op.drop_table('score_rules')
