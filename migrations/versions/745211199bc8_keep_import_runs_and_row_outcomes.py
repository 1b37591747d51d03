"""keep import runs and the outcome of each row

An import run keeps the uploaded file (until it is imported), its state and counts; each
row of the file has its outcome (create, update, unchanged or refused, and why), read by
the preview pages in pages. Both are bookkeeping, left out of the audit trail.

Revision ID: 745211199bc8
Revises: 72adcfcee87f
Create Date: 2026-11-26 11:45:54.445589

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '745211199bc8'
down_revision = '72adcfcee87f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('units', 'staff', 'reports', 'directives')", name=op.f('ck_imports_kind')),
    sa.CheckConstraint("state <> 'done' OR refused = 0", name=op.f('ck_imports_done_without_refusals')),
    sa.CheckConstraint("state IN ('checking', 'checked', 'importing', 'done', 'failed')", name=op.f('ck_imports_state')),
    sa.CheckConstraint('rows >= 0 AND created >= 0 AND updated >= 0 AND unchanged >= 0 AND refused >= 0', name=op.f('ck_imports_counts_not_negative')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_imports_account_id_accounts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imports'))
    )
    with op.batch_alter_table('imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imports_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_imports_uploaded_at'), ['uploaded_at'], unique=False)

    op.create_table('import_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.CheckConstraint("action IN ('create', 'update', 'unchanged', 'refused')", name=op.f('ck_import_rows_action')),
    sa.ForeignKeyConstraint(['run_id'], ['imports.id'], name=op.f('fk_import_rows_run_id_imports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_rows'))
    )
    with op.batch_alter_table('import_rows', schema=None) as batch_op:
        batch_op.create_index('ix_import_rows_run_id_action_row', ['run_id', 'action', 'row'], unique=False)
        batch_op.create_index('ix_import_rows_run_id_row', ['run_id', 'row'], unique=False)


def downgrade():
    with op.batch_alter_table('import_rows', schema=None) as batch_op:
        batch_op.drop_index('ix_import_rows_run_id_row')
        batch_op.drop_index('ix_import_rows_run_id_action_row')

    op.drop_table('import_rows')
    with op.batch_alter_table('imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_imports_uploaded_at'))
        batch_op.drop_index(batch_op.f('ix_imports_account_id'))

    op.drop_table('imports')
