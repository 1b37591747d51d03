"""a supporting part knows when its directive's lead units are all done (leads_done, kept
by triggers on "assignments"), so the to-do lists, reminders and chases read it from the
row rather than look up the lead units of each of thousands of supporting parts

Revision ID: f1a3c5e7b9d2
Revises: d4f6b8a0c2e5
Create Date: 2026-12-07 18:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f1a3c5e7b9d2"
down_revision = "d4f6b8a0c2e5"
branch_labels = None
depends_on = None

# NB: a batch migration that recreates "assignments" on SQLite drops these triggers:
# recreate them after it from SQLITE_TRIGGERS below.

# The statuses of an open assignment (models/steps.py OPEN_STATUSES), as they are today.
OPEN = "'assigned', 'acknowledged', 'objected', 'in_progress', 'submitted', 'returned'"
# The statuses waiting on a unit (WAITING_ON_UNIT), for the index below.
WHERE = sa.text("status IN ('assigned', 'acknowledged', 'objected', 'in_progress', 'returned')")
INCLUDE = ["id", "status", "part", "progress_due_on", "last_progress_on", "directive_id"]


def _done(row):
    """SQL: the assignment `row` is a supporting part whose directive has a lead unit not
    cancelled and none still open (models.directives.Assignment.settled_by_lead)."""
    leads = f"FROM assignments AS l WHERE l.directive_id = {row}.directive_id AND l.part = 'lead'"
    return (
        f"({row}.part = 'support'"
        f" AND EXISTS (SELECT 1 {leads} AND l.status <> 'cancelled')"
        f" AND NOT EXISTS (SELECT 1 {leads} AND l.status IN ({OPEN})))"
    )


def _settle(directives):
    """PostgreSQL: set leads_done of every part of the `directives` (a query of their
    ids) where it changed, once their rows are locked.

    The lock makes two transactions that change parts of one directive at once take turns:
    each statement of the function reads what was committed when it began, so the second
    then reads the first's change. Without it, two lead units accepted at the same moment
    would each read the other as still open, and neither would settle the supporting
    parts."""
    return (
        f"PERFORM 1 FROM directives WHERE id IN ({directives}) ORDER BY id FOR NO KEY UPDATE;"
        f" UPDATE assignments AS a SET leads_done = s.done"
        f" FROM (SELECT x.id, {_done('x')} AS done FROM assignments AS x"
        f"       WHERE x.directive_id IN ({directives})) AS s"
        f" WHERE a.id = s.id AND a.leads_done <> s.done;"
    )


# Only a change of a part's directive, part or status settles anything. The function's own
# update changes none of them, so the trigger it fires again finds nothing to do.
_CHANGED = (
    "FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id"
    " WHERE (n.directive_id, n.part, n.status) IS DISTINCT FROM"
    " (o.directive_id, o.part, o.status)"
)

_CHANGED_DIRECTIVES = (
    f"SELECT n.directive_id {_CHANGED} UNION SELECT o.directive_id {_CHANGED}"
)

# PostgreSQL: a statement at a time, from its transition tables (a COPY of 150,000 parts
# settles once).
PG_FUNCTION = f"""
CREATE FUNCTION assignments_leads_done_step() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_settle("SELECT directive_id FROM new_rows")}
    ELSIF TG_OP = 'DELETE' THEN
        {_settle("SELECT directive_id FROM old_rows")}
    ELSIF EXISTS (SELECT 1 {_CHANGED}) THEN
        {_settle(_CHANGED_DIRECTIVES)}
    END IF;
    RETURN NULL;
END
$$
"""
PG_TRIGGERS = {
    "assignments_leads_done_insert": "AFTER INSERT ON assignments "
    "REFERENCING NEW TABLE AS new_rows",
    "assignments_leads_done_update": "AFTER UPDATE ON assignments "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "assignments_leads_done_delete": "AFTER DELETE ON assignments "
    "REFERENCING OLD TABLE AS old_rows",
}


# SQLite: a row at a time, every part of the directive. The update sets leads_done alone,
# which fires none of these.
def _sqlite_settle(directive_id):
    return (
        f"UPDATE assignments SET leads_done = {_done('assignments')}"
        f" WHERE directive_id = {directive_id};"
    )


SQLITE_TRIGGERS = {
    "assignments_leads_done_insert": "AFTER INSERT ON assignments "
    f"BEGIN {_sqlite_settle('NEW.directive_id')} END",
    "assignments_leads_done_update": "AFTER UPDATE OF directive_id, part, status ON assignments "
    f"BEGIN {_sqlite_settle('NEW.directive_id')} {_sqlite_settle('OLD.directive_id')} END",
    "assignments_leads_done_delete": "AFTER DELETE ON assignments "
    f"BEGIN {_sqlite_settle('OLD.directive_id')} END",
}


def _index(include):
    op.create_index(
        "ix_assignments_waiting_due",
        "assignments",
        ["due_on", "unit_id"],
        unique=False,
        postgresql_where=WHERE,
        postgresql_include=include,
        sqlite_where=WHERE,
    )


def upgrade():
    op.add_column(
        "assignments",
        sa.Column("leads_done", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    # The parts there are now.
    op.execute(
        f"UPDATE assignments SET leads_done = {_done('assignments')}"
        " WHERE assignments.part = 'support'"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for name, when in PG_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} {when} FOR EACH STATEMENT "
                "EXECUTE FUNCTION assignments_leads_done_step()"
            )
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    # The waiting parts' index carries it, as it does what their lights come from.
    op.drop_index("ix_assignments_waiting_due", table_name="assignments")
    _index([*INCLUDE, "leads_done"])


def downgrade():
    op.drop_index("ix_assignments_waiting_due", table_name="assignments")
    _index(INCLUDE)
    if op.get_bind().dialect.name == "postgresql":
        for name in PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON assignments")
        op.execute("DROP FUNCTION IF EXISTS assignments_leads_done_step()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table("assignments") as batch:
        batch.drop_column("leads_done")
