"""index the words of titles and names by character pairs (Chinese search)

Revision ID: 0505fef3fa15
Revises: b4edd2c2bb29
Create Date: 2026-12-07 10:00:00

"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from models.words import sqlite_triggers, stored, words


# revision identifiers, used by Alembic.
revision = "0505fef3fa15"
down_revision = "019e8eeb79a5"
branch_labels = None
depends_on = None


# Each searchable table gets `search_words`: its rows' CJK character pairs and Latin words
# (models/words.py). PostgreSQL: a tsvector with a GIN index. SQLite: text, indexed by an
# FTS5 table "<table>_words" kept in step by triggers. NB: a batch migration that recreates
# one of these tables on SQLite drops its triggers: recreate them after it
# (create_sqlite_index()).
FIELDS = {
    "reports": ("title",),
    "directives": ("number", "title", "leader_name", "content"),
    "units": ("code", "name"),
    "staff": ("name", "phone", "email"),
}
CHUNK = 5000


def create_sqlite_index(table):
    fts = f"{table}_words"
    # The ascii tokenizer splits on ASCII spaces and punctuation only: the stored words
    # (letters, digits, CJK) come back as they were written.
    op.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5("
        f"search_words, content='{table}', content_rowid='id', tokenize='ascii')"
    )
    for name, body in sqlite_triggers(table).items():
        op.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def back_fill(table, fields, dialect):
    conn = op.get_bind()
    value = "CAST(:words AS tsvector)" if dialect == "postgresql" else ":words"
    update = sa.text(f"UPDATE {table} SET search_words = {value} WHERE id = :id")
    columns = ", ".join(fields)
    last = 0
    while True:
        rows = conn.execute(
            sa.text(
                f"SELECT id, {columns} FROM {table} WHERE id > :last ORDER BY id LIMIT {CHUNK}"
            ),
            {"last": last},
        ).all()
        if not rows:
            return
        conn.execute(
            update, [{"id": row[0], "words": stored(words(*row[1:]), dialect)} for row in rows]
        )
        last = rows[-1][0]


def upgrade():
    dialect = op.get_bind().dialect.name
    for table, fields in FIELDS.items():
        kind = postgresql.TSVECTOR() if dialect == "postgresql" else sa.Text()
        op.add_column(
            table, sa.Column("search_words", kind, nullable=False, server_default=sa.text("''"))
        )
        back_fill(table, fields, dialect)
        if dialect == "postgresql":
            op.alter_column(table, "search_words", server_default=None)
            op.execute(f"CREATE INDEX ix_{table}_search_words ON {table} USING gin (search_words)")
        else:
            # SQLite cannot drop a column's default without recreating the table.
            create_sqlite_index(table)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in FIELDS:
        if dialect == "postgresql":
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_words")
        else:
            for name in sqlite_triggers(table):
                op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(f"DROP TABLE IF EXISTS {table}_words")
        # Not a batch: recreating "reports" on SQLite would drop its title search triggers.
        op.drop_column(table, "search_words")
