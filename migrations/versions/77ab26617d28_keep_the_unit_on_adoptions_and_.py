"""keep the unit on adoptions and instructions for fast rankings

Revision ID: 77ab26617d28
Revises: 4f635d10a1bf
Create Date: 2026-11-26 11:15:53.933520

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '77ab26617d28'
down_revision = '4f635d10a1bf'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_submitted_at'))
        batch_op.create_index('ix_reports_submitted_at_unit_id', ['submitted_at', 'unit_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_reports_id_unit_id'), ['id', 'unit_id'])

    for table, day_index, new_index, columns in (
        ('adoptions', 'ix_adoptions_adopted_on', 'ix_adoptions_adopted_on_unit_id',
         ['adopted_on', 'unit_id', 'publication_id', 'points']),
        ('instructions', 'ix_instructions_instructed_on', 'ix_instructions_instructed_on_unit_id',
         ['instructed_on', 'unit_id', 'points']),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        # Copy each report's unit; from now on the composite key keeps it in step.
        op.execute(f"UPDATE {table} SET unit_id = "
                   f"(SELECT unit_id FROM reports WHERE reports.id = {table}.report_id)")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('unit_id', existing_type=sa.Integer(), nullable=False)
            batch_op.drop_index(batch_op.f(day_index))
            batch_op.create_index(new_index, columns, unique=False)
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_report_id_reports'), type_='foreignkey')
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_report_id_reports'), 'reports',
                                        ['report_id', 'unit_id'], ['id', 'unit_id'],
                                        onupdate='CASCADE', ondelete='CASCADE')


def downgrade():
    for table, day_column, day_index, new_index in (
        ('instructions', 'instructed_on', 'ix_instructions_instructed_on',
         'ix_instructions_instructed_on_unit_id'),
        ('adoptions', 'adopted_on', 'ix_adoptions_adopted_on', 'ix_adoptions_adopted_on_unit_id'),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_report_id_reports'), type_='foreignkey')
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_report_id_reports'), 'reports',
                                        ['report_id'], ['id'], ondelete='CASCADE')
            batch_op.drop_index(new_index)
            batch_op.create_index(batch_op.f(day_index), [day_column], unique=False)
            batch_op.drop_column('unit_id')

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_reports_id_unit_id'), type_='unique')
        batch_op.drop_index('ix_reports_submitted_at_unit_id')
        batch_op.create_index(batch_op.f('ix_reports_submitted_at'), ['submitted_at'], unique=False)
