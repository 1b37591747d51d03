"""add ranking rules to the scoring table

Revision ID: b3c1d7e2a9f4
Revises: 7e32332ef7f1
Create Date: 2026-12-03 13:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b3c1d7e2a9f4'
down_revision = '7e32332ef7f1'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('bonus', 'factor', 'deduction', 'limit')"
NEW_KINDS = "kind IN ('bonus', 'factor', 'deduction', 'limit', 'ranking')"


def _kinds(condition):
    with op.batch_alter_table('score_rules', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_score_rules_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_score_rules_kind'), condition)


def upgrade():
    _kinds(NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM score_rules WHERE kind = 'ranking'")
    _kinds(OLD_KINDS)
