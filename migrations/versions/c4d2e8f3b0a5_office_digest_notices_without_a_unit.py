"""office digest notices, without a unit

Revision ID: c4d2e8f3b0a5
Revises: b3c1d7e2a9f4
Create Date: 2026-12-03 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d2e8f3b0a5'
down_revision = 'b3c1d7e2a9f4'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('reminder', 'chase', 'escalation', 'bulletin', 'bottom')"
NEW_KINDS = "kind IN ('reminder', 'chase', 'escalation', 'bulletin', 'bottom', 'digest')"


def upgrade():
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.alter_column('unit_id', existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint(batch_op.f('ck_notices_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notices_kind'), NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM notices WHERE kind = 'digest' OR unit_id IS NULL")
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notices_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notices_kind'), OLD_KINDS)
        batch_op.alter_column('unit_id', existing_type=sa.Integer(), nullable=False)
