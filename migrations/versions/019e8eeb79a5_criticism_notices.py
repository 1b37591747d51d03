"""criticism notices (通报批评): drafted from the records, approved, issued with a number, sent once

Revision ID: 019e8eeb79a5
Revises: b4edd2c2bb29
Create Date: 2026-12-06 20:26:04.898591

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '019e8eeb79a5'
down_revision = "806ecc97388c"
branch_labels = None
depends_on = None

OLD_NOTICE_KINDS = (
    "'reminder', 'chase', 'escalation', 'bulletin', 'bottom', 'digest', 'office_chase'"
)
OLD_DOCUMENT_KINDS = "'supervision', 'bulletin'"


def _kinds(notice_kinds, document_kinds):
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notices_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notices_kind'), f"kind IN ({notice_kinds})")
    with op.batch_alter_table('document_numbers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_document_numbers_kind'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_document_numbers_kind'), f"kind IN ({document_kinds})"
        )


def upgrade():
    _kinds(OLD_NOTICE_KINDS + ", 'criticism'", OLD_DOCUMENT_KINDS + ", 'criticism'")
    op.create_table('criticism_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('number_id', sa.Integer(), nullable=True),
    sa.Column('drafted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('drafted_by_id', sa.Integer(), nullable=True),
    sa.Column('drafted_by_name', sa.String(length=50), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_name', sa.String(length=50), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_by_name', sa.String(length=50), nullable=False),
    sa.Column('dropped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('drop_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("reason IN ('overdue', 'late_emergency', 'missed_emergency')", name=op.f('ck_criticism_notices_reason')),
    sa.CheckConstraint("state <> 'issued' OR (number_id IS NOT NULL AND issued_at IS NOT NULL)", name=op.f('ck_criticism_notices_issued_has_number')),
    sa.CheckConstraint("state IN ('draft', 'approved', 'issued', 'dropped')", name=op.f('ck_criticism_notices_state')),
    sa.CheckConstraint("state NOT IN ('approved', 'issued') OR approved_at IS NOT NULL", name=op.f('ck_criticism_notices_approved_when_approved')),
    sa.CheckConstraint("trim(text) <> ''", name=op.f('ck_criticism_notices_text_not_blank')),
    sa.CheckConstraint("trim(title) <> ''", name=op.f('ck_criticism_notices_title_not_blank')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['accounts.id'], name=op.f('fk_criticism_notices_approved_by_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['drafted_by_id'], ['accounts.id'], name=op.f('fk_criticism_notices_drafted_by_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['accounts.id'], name=op.f('fk_criticism_notices_issued_by_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['number_id'], ['document_numbers.id'], name=op.f('fk_criticism_notices_number_id_document_numbers'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_criticism_notices_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criticism_notices')),
    sa.UniqueConstraint('number_id', name=op.f('uq_criticism_notices_number_id')),
    sa.UniqueConstraint('unit_id', 'reason', 'period', name=op.f('uq_criticism_notices_unit_id_reason_period'))
    )
    with op.batch_alter_table('criticism_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criticism_notices_approved_by_id'), ['approved_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_criticism_notices_drafted_by_id'), ['drafted_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_criticism_notices_issued_by_id'), ['issued_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_criticism_notices_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_criticism_notices_unit_id'), ['unit_id'], unique=False)

    op.create_table('criticism_assignments',
    sa.Column('criticism_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_criticism_assignments_assignment_id_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['criticism_id'], ['criticism_notices.id'], name=op.f('fk_criticism_assignments_criticism_id_criticism_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('criticism_id', 'assignment_id', name=op.f('pk_criticism_assignments'))
    )
    with op.batch_alter_table('criticism_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criticism_assignments_assignment_id'), ['assignment_id'], unique=False)

    op.create_table('criticism_deductions',
    sa.Column('criticism_id', sa.Integer(), nullable=False),
    sa.Column('deduction_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['criticism_id'], ['criticism_notices.id'], name=op.f('fk_criticism_deductions_criticism_id_criticism_notices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['deduction_id'], ['deductions.id'], name=op.f('fk_criticism_deductions_deduction_id_deductions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('criticism_id', 'deduction_id', name=op.f('pk_criticism_deductions'))
    )
    with op.batch_alter_table('criticism_deductions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criticism_deductions_deduction_id'), ['deduction_id'], unique=False)



def downgrade():
    with op.batch_alter_table('criticism_deductions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criticism_deductions_deduction_id'))

    op.drop_table('criticism_deductions')
    with op.batch_alter_table('criticism_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criticism_assignments_assignment_id'))

    op.drop_table('criticism_assignments')
    with op.batch_alter_table('criticism_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criticism_notices_unit_id'))
        batch_op.drop_index(batch_op.f('ix_criticism_notices_state'))
        batch_op.drop_index(batch_op.f('ix_criticism_notices_issued_by_id'))
        batch_op.drop_index(batch_op.f('ix_criticism_notices_drafted_by_id'))
        batch_op.drop_index(batch_op.f('ix_criticism_notices_approved_by_id'))

    op.drop_table('criticism_notices')
    op.execute("DELETE FROM notices WHERE kind = 'criticism'")
    op.execute("DELETE FROM document_numbers WHERE kind = 'criticism'")
    _kinds(OLD_NOTICE_KINDS, OLD_DOCUMENT_KINDS)
