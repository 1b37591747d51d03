"""An import run: the uploaded file, what its check found row by row, and how it ended.

The file is kept in the database (not on a disk a worker may not share) until the run
ends. Each row's outcome is an ImportRow, so the preview pages and the downloadable
report read them in pages, whatever the size of the file. Both tables are bookkeeping:
the audit trail records what the import changed in the records, not these rows.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import clock
from models.accounts import OFFICE
from models.base import Choices, UTCDateTime, db, info

IMPORT_KINDS = Choices(
    units=_l("Units"),
    staff=_l("Staff"),
    reports=_l("Reports and adoptions"),
    directives=_l("Directives and assignments"),
    trainings=_l("Training records"),
    key_work=_l("Key work items"),
)
RUN_STATES = Choices(
    checking=_l("Being checked"),
    checked=_l("Checked: see the preview"),
    importing=_l("Being imported"),
    done=_l("Imported"),
    failed=_l("Not imported"),
)
ROW_ACTIONS = Choices(
    create=_l("New record"),
    update=_l("Changes a record"),
    unchanged=_l("Unchanged"),
    refused=_l("Cannot be imported"),
)
# States in which a job is (or should be) working on the run.
BUSY_STATES = ("checking", "importing")


class ImportRun(db.Model):
    __tablename__ = "imports"

    id = sa.Column(sa.Integer, primary_key=True)
    kind = sa.Column(sa.String(20), nullable=False, info=info(_l("What"), IMPORT_KINDS))
    filename = sa.Column(sa.String(200), nullable=False, info=info(_l("File")))
    size = sa.Column(sa.Integer, nullable=False, info=info(_l("Size (bytes)")))
    # The uploaded bytes, until the run is imported; never loaded with the row.
    content = sa.orm.deferred(sa.Column(sa.LargeBinary))
    account_id = sa.Column(sa.ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    state = sa.Column(
        sa.String(20), nullable=False, default="checking", info=info(_l("State"), RUN_STATES)
    )
    # A problem with the whole file (headers, encoding, size...), or why the import failed.
    error = sa.Column(sa.Text, info=info(_l("Problem")))
    rows = sa.Column(sa.Integer, nullable=False, default=0, info=info(_l("Rows")))
    created = sa.Column(sa.Integer, nullable=False, default=0, info=info(_l("To create")))
    updated = sa.Column(sa.Integer, nullable=False, default=0, info=info(_l("To update")))
    unchanged = sa.Column(sa.Integer, nullable=False, default=0, info=info(_l("Unchanged")))
    refused = sa.Column(sa.Integer, nullable=False, default=0, info=info(_l("Cannot be imported")))
    uploaded_at = sa.Column(
        UTCDateTime, nullable=False, default=clock.now, index=True, info=info(_l("Uploaded"))
    )
    checked_at = sa.Column(UTCDateTime, info=info(_l("Checked")))
    finished_at = sa.Column(UTCDateTime, info=info(_l("Imported at")))

    account = sa.orm.relationship("Account")

    __table_args__ = (
        IMPORT_KINDS.check("kind"),
        RUN_STATES.check("state"),
        sa.CheckConstraint(
            "rows >= 0 AND created >= 0 AND updated >= 0 AND unchanged >= 0 AND refused >= 0",
            name="counts_not_negative",
        ),
        sa.CheckConstraint("state <> 'done' OR refused = 0", name="done_without_refusals"),
    )

    def __str__(self):
        return f"{IMPORT_KINDS.label(self.kind)} {self.filename}"

    @classmethod
    def visible_to(cls, account):
        # Imports are the office's work: every office member sees every run.
        return sa.true() if account.role in OFFICE else sa.false()

    @property
    def busy(self):
        return self.state in BUSY_STATES

    @property
    def may_commit(self):
        return self.state == "checked" and not self.error and self.refused == 0

    def count(self, outcomes):
        """Set the counts from the outcomes of a check or an import."""
        totals = dict.fromkeys(ROW_ACTIONS, 0)
        for outcome in outcomes:
            totals[outcome.action] += 1
        self.rows = len(outcomes)
        self.created, self.updated = totals["create"], totals["update"]
        self.unchanged, self.refused = totals["unchanged"], totals["refused"]


class ImportRow(db.Model):
    """What the check (or the import) found for one row of the file."""

    __tablename__ = "import_rows"

    id = sa.Column(sa.Integer, primary_key=True)
    run_id = sa.Column(sa.ForeignKey("imports.id", ondelete="CASCADE"), nullable=False)
    row = sa.Column(sa.Integer, nullable=False, info=info(_l("Row")))
    action = sa.Column(sa.String(20), nullable=False, info=info(_l("Action"), ROW_ACTIONS))
    key = sa.Column(sa.String(300), nullable=False, default="", info=info(_l("Record")))
    detail = sa.Column(sa.Text, nullable=False, default="", info=info(_l("Detail")))

    __table_args__ = (
        ROW_ACTIONS.check("action"),
        sa.Index("ix_import_rows_run_id_action_row", "run_id", "action", "row"),
        sa.Index("ix_import_rows_run_id_row", "run_id", "row"),
    )


def replace_rows(run, outcomes):
    """Store the outcomes of the latest check or import of `run` (one multi-row INSERT
    per thousand rows)."""
    db.session.execute(sa.delete(ImportRow).where(ImportRow.run_id == run.id))
    batch = []
    for outcome in outcomes:
        batch.append(
            {
                "run_id": run.id,
                "row": outcome.row,
                "action": outcome.action,
                "key": outcome.key[:300],
                "detail": outcome.detail,
            }
        )
        if len(batch) == 1000:
            db.session.execute(sa.insert(ImportRow), batch)
            batch = []
    if batch:
        db.session.execute(sa.insert(ImportRow), batch)
