"""create the initial schema

Revision ID: 09db7ffdbf59
Revises: 
Create Date: 2026-11-26 10:10:21.785392

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '09db7ffdbf59'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('directives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('leader_name', sa.String(length=50), nullable=False),
    sa.Column('leader_level', sa.String(length=20), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('confidential', sa.Boolean(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("leader_level IN ('central', 'province', 'city', 'county')", name=op.f('ck_directives_leader_level')),
    sa.CheckConstraint("trim(leader_name) <> ''", name=op.f('ck_directives_leader_name_not_blank')),
    sa.CheckConstraint("trim(number) <> ''", name=op.f('ck_directives_number_not_blank')),
    sa.CheckConstraint("trim(title) <> ''", name=op.f('ck_directives_title_not_blank')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directives')),
    sa.UniqueConstraint('number', name=op.f('uq_directives_number'))
    )
    with op.batch_alter_table('directives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directives_received_on'), ['received_on'], unique=False)

    op.create_table('publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('edition', sa.String(length=20), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("edition IN ('main', 'supplement', 'leaders', 'special')", name=op.f('ck_publications_edition')),
    sa.CheckConstraint("level IN ('county', 'city', 'province', 'central')", name=op.f('ck_publications_level')),
    sa.CheckConstraint("trim(name) <> ''", name=op.f('ck_publications_name_not_blank')),
    sa.CheckConstraint('points >= 0', name=op.f('ck_publications_points_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publications')),
    sa.UniqueConstraint('name', name=op.f('uq_publications_name'))
    )
    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ranking_group', sa.String(length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('principal_leader', sa.String(length=50), nullable=True),
    sa.Column('principal_leader_email', sa.String(length=120), nullable=True),
    sa.Column('leader_in_charge', sa.String(length=50), nullable=True),
    sa.Column('leader_in_charge_email', sa.String(length=120), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('township', 'county_dept', 'county', 'city_dept')", name=op.f('ck_units_kind')),
    sa.CheckConstraint("ranking_group IN ('township', 'department', 'county')", name=op.f('ck_units_ranking_group')),
    sa.CheckConstraint("trim(code) <> ''", name=op.f('ck_units_code_not_blank')),
    sa.CheckConstraint("trim(name) <> ''", name=op.f('ck_units_name_not_blank')),
    sa.CheckConstraint('parent_id IS NULL OR parent_id <> id', name=op.f('ck_units_not_own_parent')),
    sa.ForeignKeyConstraint(['parent_id'], ['units.id'], name=op.f('fk_units_parent_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('code', name=op.f('uq_units_code'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_units_ranking_group'), ['ranking_group'], unique=False)

    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('email', sa.String(length=120), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=True),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("locale IN ('zh_Hans_CN', 'en')", name=op.f('ck_accounts_locale')),
    sa.CheckConstraint("role <> 'unit' OR unit_id IS NOT NULL", name=op.f('ck_accounts_unit_officer_has_unit')),
    sa.CheckConstraint("role IN ('admin', 'staff', 'unit', 'leader')", name=op.f('ck_accounts_role')),
    sa.CheckConstraint("trim(username) <> ''", name=op.f('ck_accounts_username_not_blank')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_accounts_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('username', name=op.f('uq_accounts_username'))
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_unit_id'), ['unit_id'], unique=False)

    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('directive_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('assigned_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('finished_on', sa.Date(), nullable=True),
    sa.CheckConstraint("status IN ('assigned', 'acknowledged', 'in_progress', 'submitted', 'accepted', 'returned', 'cancelled')", name=op.f('ck_assignments_status')),
    sa.CheckConstraint('due_on >= assigned_on', name=op.f('ck_assignments_due_after_assigned')),
    sa.CheckConstraint('finished_on IS NULL OR finished_on >= assigned_on', name=op.f('ck_assignments_finished_after_assigned')),
    sa.ForeignKeyConstraint(['directive_id'], ['directives.id'], name=op.f('fk_assignments_directive_id_directives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_assignments_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments')),
    sa.UniqueConstraint('directive_id', 'unit_id', name=op.f('uq_assignments_directive_id_unit_id'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_directive_id'), ['directive_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_unit_id'), ['unit_id'], unique=False)

    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=100), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.CheckConstraint("category IN ('news', 'comprehensive', 'research', 'problem', 'sentiment', 'experience', 'emergency')", name=op.f('ck_reports_category')),
    sa.CheckConstraint("status IN ('received', 'editing', 'adopted', 'not_adopted', 'returned')", name=op.f('ck_reports_status')),
    sa.CheckConstraint("trim(author) <> ''", name=op.f('ck_reports_author_not_blank')),
    sa.CheckConstraint("trim(title) <> ''", name=op.f('ck_reports_title_not_blank')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_reports_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_submitted_at'), ['submitted_at'], unique=False)
        batch_op.create_index('ix_reports_unit_id_submitted_at', ['unit_id', 'submitted_at'], unique=False)

    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('duty', sa.String(length=20), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('email', sa.String(length=120), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("duty IN ('info_officer', 'principal_leader', 'leader_in_charge', 'office_staff', 'other')", name=op.f('ck_staff_duty')),
    sa.CheckConstraint("trim(name) <> ''", name=op.f('ck_staff_name_not_blank')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_staff_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff')),
    sa.UniqueConstraint('email', name=op.f('uq_staff_email'))
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_unit_id'), ['unit_id'], unique=False)

    op.create_table('adoptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('issue_no', sa.Integer(), nullable=False),
    sa.Column('adopted_on', sa.Date(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.CheckConstraint('issue_no > 0', name=op.f('ck_adoptions_issue_no_positive')),
    sa.CheckConstraint('points >= 0', name=op.f('ck_adoptions_points_not_negative')),
    sa.ForeignKeyConstraint(['publication_id'], ['publications.id'], name=op.f('fk_adoptions_publication_id_publications'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_adoptions_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adoptions')),
    sa.UniqueConstraint('report_id', 'publication_id', name=op.f('uq_adoptions_report_id_publication_id'))
    )
    with op.batch_alter_table('adoptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adoptions_adopted_on'), ['adopted_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_adoptions_publication_id'), ['publication_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adoptions_report_id'), ['report_id'], unique=False)

    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('recipient_name', sa.String(length=50), nullable=False),
    sa.Column('recipient_email', sa.String(length=120), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=120), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('reminder', 'chase', 'escalation', 'bulletin', 'bottom')", name=op.f('ck_notices_kind')),
    sa.CheckConstraint("state IN ('queued', 'sending', 'sent', 'retry', 'failed', 'unknown')", name=op.f('ck_notices_state')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_notices_attempts_not_negative')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_notices_assignment_id_assignments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_notices_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notices_dedupe_key'))
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_unit_id'), ['unit_id'], unique=False)



def downgrade():
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_unit_id'))
        batch_op.drop_index(batch_op.f('ix_notices_state'))
        batch_op.drop_index(batch_op.f('ix_notices_assignment_id'))

    op.drop_table('notices')
    with op.batch_alter_table('adoptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adoptions_report_id'))
        batch_op.drop_index(batch_op.f('ix_adoptions_publication_id'))
        batch_op.drop_index(batch_op.f('ix_adoptions_adopted_on'))

    op.drop_table('adoptions')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_unit_id'))

    op.drop_table('staff')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_unit_id_submitted_at')
        batch_op.drop_index(batch_op.f('ix_reports_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_reports_status'))

    op.drop_table('reports')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_unit_id'))
        batch_op.drop_index(batch_op.f('ix_assignments_status'))
        batch_op.drop_index(batch_op.f('ix_assignments_due_on'))
        batch_op.drop_index(batch_op.f('ix_assignments_directive_id'))

    op.drop_table('assignments')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_unit_id'))

    op.drop_table('accounts')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_ranking_group'))
        batch_op.drop_index(batch_op.f('ix_units_parent_id'))

    op.drop_table('units')
    op.drop_table('publications')
    with op.batch_alter_table('directives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directives_received_on'))

    op.drop_table('directives')
