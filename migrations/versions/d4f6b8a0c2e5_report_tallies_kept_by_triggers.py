"""how many reports each unit has in each status, kept by triggers on "reports", so the
office's home page counts the waiting reports by unit from 2,000 rows, not 200,000

Revision ID: d4f6b8a0c2e5
Revises: c3e5a7b9d1f4
Create Date: 2026-12-07 14:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d4f6b8a0c2e5"
down_revision = "c3e5a7b9d1f4"
branch_labels = None
depends_on = None

# NB: a batch migration that recreates "reports" on SQLite drops these triggers (as it
# does the search triggers): recreate them after it from SQLITE_TRIGGERS below.

# PostgreSQL: one statement a statement, from its transition tables (a COPY of a million
# rows adds once); the units' rows are changed in the order of their keys.
PG_FUNCTION = """
CREATE FUNCTION report_tallies_step() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO report_tallies AS t (unit_id, status, n)
        SELECT unit_id, status, count(*) FROM new_rows
        GROUP BY unit_id, status ORDER BY unit_id, status
        ON CONFLICT (unit_id, status) DO UPDATE SET n = t.n + excluded.n;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE report_tallies AS t SET n = t.n - gone.n
        FROM (SELECT unit_id, status, count(*) AS n FROM old_rows
              GROUP BY unit_id, status ORDER BY unit_id, status) AS gone
        WHERE t.unit_id = gone.unit_id AND t.status = gone.status;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO report_tallies AS t (unit_id, status, n)
        SELECT unit_id, status, sum(step) FROM (
            SELECT unit_id, status, 1 AS step FROM new_rows
            UNION ALL SELECT unit_id, status, -1 FROM old_rows
        ) AS steps
        GROUP BY unit_id, status HAVING sum(step) <> 0 ORDER BY unit_id, status
        ON CONFLICT (unit_id, status) DO UPDATE SET n = t.n + excluded.n;
    ELSE
        DELETE FROM report_tallies;
    END IF;
    RETURN NULL;
END
$$
"""
PG_TRIGGERS = {
    "reports_tally_insert": "AFTER INSERT ON reports REFERENCING NEW TABLE AS new_rows",
    "reports_tally_update": "AFTER UPDATE ON reports "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "reports_tally_delete": "AFTER DELETE ON reports REFERENCING OLD TABLE AS old_rows",
    "reports_tally_truncate": "AFTER TRUNCATE ON reports",
}

# SQLite: a row at a time.
# (No INSERT OR IGNORE: an outer INSERT OR REPLACE would make it replace the unit's row.)
_ADD = """INSERT INTO report_tallies (unit_id, status, n) SELECT NEW.unit_id, NEW.status, 0
    WHERE NOT EXISTS (SELECT 1 FROM report_tallies
                      WHERE unit_id = NEW.unit_id AND status = NEW.status);
    UPDATE report_tallies SET n = n + 1 WHERE unit_id = NEW.unit_id AND status = NEW.status;"""
_TAKE = "UPDATE report_tallies SET n = n - 1 WHERE unit_id = OLD.unit_id AND status = OLD.status;"
SQLITE_TRIGGERS = {
    "reports_tally_insert": f"AFTER INSERT ON reports BEGIN {_ADD} END",
    "reports_tally_update": "AFTER UPDATE OF unit_id, status ON reports "
    "WHEN OLD.unit_id IS NOT NEW.unit_id OR OLD.status IS NOT NEW.status "
    f"BEGIN {_TAKE} {_ADD} END",
    "reports_tally_delete": f"AFTER DELETE ON reports BEGIN {_TAKE} END",
}


def upgrade():
    op.create_table(
        "report_tallies",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_report_tallies_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("unit_id", "status", name=op.f("pk_report_tallies")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for name, when in PG_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} {when} FOR EACH STATEMENT "
                "EXECUTE FUNCTION report_tallies_step()"
            )
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    # The reports there are now.
    op.execute(
        "INSERT INTO report_tallies (unit_id, status, n) "
        "SELECT unit_id, status, count(*) FROM reports GROUP BY unit_id, status"
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON reports")
        op.execute("DROP FUNCTION IF EXISTS report_tallies_step()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("report_tallies")
