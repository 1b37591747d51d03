"""index report titles for substring search

Revision ID: ff1704d0dbbc
Revises: 5c7d2e9b41f0
Create Date: 2026-11-26 11:44:22.696576

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ff1704d0dbbc'
down_revision = '5c7d2e9b41f0'
branch_labels = None
depends_on = None


# Substring search of Chinese titles ("防汛" anywhere in the title) cannot use a B-tree.
# PostgreSQL: a pg_trgm GIN index, which ILIKE '%...%' uses by itself.
# SQLite: an FTS5 table with the trigram tokenizer, kept in step by triggers; the report
# list searches it (views/reports.py). NB: a batch migration that recreates "reports" on
# SQLite drops these triggers: recreate them after it (see create_sqlite_search()).

SQLITE_TRIGGERS = {
    "reports_fts_insert": "AFTER INSERT ON reports BEGIN "
    "INSERT INTO reports_fts(rowid, title) VALUES (new.id, new.title); END",
    "reports_fts_delete": "AFTER DELETE ON reports BEGIN "
    "INSERT INTO reports_fts(reports_fts, rowid, title) VALUES ('delete', old.id, old.title); END",
    "reports_fts_update": "AFTER UPDATE OF title ON reports BEGIN "
    "INSERT INTO reports_fts(reports_fts, rowid, title) VALUES ('delete', old.id, old.title); "
    "INSERT INTO reports_fts(rowid, title) VALUES (new.id, new.title); END",
}


def create_sqlite_search():
    op.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS reports_fts USING fts5("
        "title, content='reports', content_rowid='id', tokenize='trigram')"
    )
    for name, body in SQLITE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    op.execute("INSERT INTO reports_fts(reports_fts) VALUES ('rebuild')")


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_reports_title_trgm ON reports "
            "USING gin (title gin_trgm_ops)"
        )
    elif dialect == "sqlite":
        create_sqlite_search()


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_reports_title_trgm")
    elif dialect == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS reports_fts")
