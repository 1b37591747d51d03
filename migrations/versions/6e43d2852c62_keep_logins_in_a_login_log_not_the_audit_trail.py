"""keep logins in a login log, not the audit trail

Logins and logouts go to their own table. The audit trail's earlier rows that only
recorded a login (the account's last login time) or a logout (its session version) move
there, and records that were named by Python's repr lose that name (the screen names them
by their kind and id instead).

Revision ID: 6e43d2852c62
Revises: b4edd2c2bb29
Create Date: 2026-12-06 20:40:00.000000

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6e43d2852c62'
down_revision = 'b4edd2c2bb29'
branch_labels = None
depends_on = None

LOGIN_FIELDS = {'last_login_at', 'session_version'}
REPR = re.compile(r'^<[A-Z]\w* .*>$')

audit_log = sa.table(
    'audit_log',
    sa.column('id', sa.Integer),
    sa.column('at', sa.DateTime(timezone=True)),
    sa.column('actor', sa.String),
    sa.column('action', sa.String),
    sa.column('table_name', sa.String),
    sa.column('record_id', sa.Integer),
    sa.column('record', sa.String),
    sa.column('changes', sa.JSON),
)
accounts = sa.table('accounts', sa.column('id', sa.Integer), sa.column('username', sa.String))


def upgrade():
    login_log = op.create_table('login_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=50), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('event', sa.String(length=10), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.CheckConstraint("event IN ('login', 'logout')", name=op.f('ck_login_log_event')),
    sa.CheckConstraint("result IN ('success', 'wrong_password', 'unknown_user', 'disabled', 'locked')", name=op.f('ck_login_log_result')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_log'))
    )
    with op.batch_alter_table('login_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_log_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_log_at'), ['at'], unique=False)
        batch_op.create_index('ix_login_log_username_at', ['username', 'at'], unique=False)

    conn = op.get_bind()
    usernames = dict(conn.execute(sa.select(accounts.c.id, accounts.c.username)).all())
    moved, logins = [], []
    rows = conn.execute(
        sa.select(audit_log.c.id, audit_log.c.at, audit_log.c.actor, audit_log.c.record_id, audit_log.c.changes)
        .where(audit_log.c.table_name == 'accounts', audit_log.c.action == 'update')
    )
    for id_, at, actor, record_id, changes in rows:
        fields = set(changes or {})
        if not fields or not fields <= LOGIN_FIELDS:
            continue
        moved.append(id_)
        logins.append({
            'at': at,
            'account_id': record_id,
            'username': (usernames.get(record_id) or actor or '-')[:50],
            'address': '-',  # not recorded then
            'event': 'login' if 'last_login_at' in fields else 'logout',
            'result': 'success',
        })
    if logins:
        op.bulk_insert(login_log, logins)
    for start in range(0, len(moved), 500):
        conn.execute(sa.delete(audit_log).where(audit_log.c.id.in_(moved[start:start + 500])))

    named = conn.execute(
        sa.select(audit_log.c.id, audit_log.c.record).where(audit_log.c.record.like('<%>'))
    )
    reprs = [id_ for id_, record in named if REPR.match(record)]
    for start in range(0, len(reprs), 500):
        conn.execute(
            sa.update(audit_log).where(audit_log.c.id.in_(reprs[start:start + 500])).values(record='')
        )


def downgrade():
    # The logins stay in the log's table until it is dropped: the trail does not get its
    # login rows back (they said no more than the log did).
    with op.batch_alter_table('login_log', schema=None) as batch_op:
        batch_op.drop_index('ix_login_log_username_at')
        batch_op.drop_index(batch_op.f('ix_login_log_at'))
        batch_op.drop_index(batch_op.f('ix_login_log_account_id'))

    op.drop_table('login_log')
