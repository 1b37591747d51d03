"""name the audit trail's nameless actors in the office's language, as its records are

Revision ID: c3a9e5d1f7b2
Revises: 5fbfacdec111
Create Date: 2026-12-06 23:10:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "c3a9e5d1f7b2"
down_revision = "5fbfacdec111"
branch_labels = None
depends_on = None

COMMAND_LINE = "command line ("  # 14 characters, then the user and ")"


def upgrade():
    op.execute("UPDATE audit_log SET actor = '系统' WHERE actor = 'system' AND actor_id IS NULL")
    op.execute("UPDATE audit_log SET actor = '未登录' WHERE actor = 'anonymous' AND actor_id IS NULL")
    op.execute(
        "UPDATE audit_log SET actor = '命令行（' || substr(actor, 15, length(actor) - 15) || '）' "
        f"WHERE actor LIKE '{COMMAND_LINE}%)' AND actor_id IS NULL"
    )


def downgrade():
    op.execute("UPDATE audit_log SET actor = 'system' WHERE actor = '系统' AND actor_id IS NULL")
    op.execute("UPDATE audit_log SET actor = 'anonymous' WHERE actor = '未登录' AND actor_id IS NULL")
    op.execute(
        "UPDATE audit_log SET actor = 'command line (' || substr(actor, 5, length(actor) - 5) || ')' "
        "WHERE actor LIKE '命令行（%）' AND actor_id IS NULL"
    )
