"""Importing the office's spreadsheets: units, staff, reports with adoptions, directives
with assignments, training records.

A run goes: upload (the file is stored, state "checking") → `check_run` (every row
applied by the importer's rules inside a transaction that is rolled back; the outcome of
each row kept) → the office reads the preview → `commit_run` (the same again, committed
in one transaction, all or nothing, only if no row is refused). Importing the same file
again finds every row unchanged and changes nothing.
"""

import logging

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from models import bounds, clock
from models.accounts import Account
from models.audit import acting_as
from models.base import db
from models.imports.columns import zh_labels
from models.imports.directives import DirectiveImporter
from models.imports.engine import apply_table
from models.imports.filled import directive_rows, report_rows
from models.imports.keywork import KeyWorkImporter, key_work_rows
from models.imports.reading import FileProblem, read_table
from models.imports.reports import ReportImporter
from models.imports.runs import (
    IMPORT_KINDS,
    ROW_ACTIONS,
    RUN_STATES,
    ImportRow,
    ImportRun,
    replace_rows,
)
from models.imports.training import TrainingImporter, training_rows
from models.imports.units import StaffImporter, UnitImporter, staff_rows, unit_rows

log = logging.getLogger(__name__)

IMPORTERS = {
    "units": UnitImporter,
    "staff": StaffImporter,
    "reports": ReportImporter,
    "directives": DirectiveImporter,
    "trainings": TrainingImporter,
    "key_work": KeyWorkImporter,
}
ROWS = {
    "units": unit_rows,
    "staff": staff_rows,
    "reports": report_rows,
    "directives": directive_rows,
    "trainings": training_rows,
    "key_work": key_work_rows,
}
# Template file names, in Chinese as the office saves them.
TEMPLATE_NAMES = {
    "units": "单位导入模板",
    "staff": "人员导入模板",
    "reports": "信息稿件导入模板",
    "directives": "批示件导入模板",
    "trainings": "培训记录导入模板",
    "key_work": "重要工作分工导入模板",
}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ROWS = 100_000

__all__ = [
    "IMPORT_KINDS",
    "ROW_ACTIONS",
    "RUN_STATES",
    "ImportRow",
    "ImportRun",
    "FileProblem",
    "check_rows",
    "check_run",
    "commit_run",
    "template_header",
    "template_cells",
    "max_bytes",
]


def max_bytes():
    return int(current_app.config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows():
    return int(current_app.config.get("IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def size_problem(size):
    """Why a file of `size` bytes is refused unread, or None."""
    if size > max_bytes():
        return _l(
            "The file is larger than %(mb)s MB: split it into several files.",
            mb=bounds.megabytes(max_bytes()),
        )
    return None


def check_rows(kind, content, actor, progress=None, commit=False):
    """Apply a file's rows by the importer of `kind`; the outcomes.

    Rolled back unless `commit` and no row is refused. FileProblem for a bad file.
    """
    problem = size_problem(len(content))
    if problem:
        raise FileProblem(problem)
    table = read_table(content, max_rows())
    importer = IMPORTERS[kind](actor)
    try:
        outcomes = apply_table(importer, table, progress)
    except BaseException:
        db.session.rollback()
        raise
    if commit and not any(o.action == "refused" for o in outcomes):
        return outcomes
    db.session.rollback()
    return outcomes


# ---- runs ----


def start_run(kind, filename, content, account):
    """Record an upload, to be checked by a job; commit before enqueuing it."""
    run = ImportRun(
        kind=kind,
        filename=(filename or "upload")[:200],
        size=len(content),
        content=content,
        account=account,
        state="checking",
    )
    db.session.add(run)
    return run


def check_run(run_id, progress=None):
    """Check a run's file and keep each row's outcome (nothing else is saved)."""
    run = db.session.get(ImportRun, run_id)
    if run is None or run.state != "checking":
        return None
    kind, content, account = run.kind, run.content, run.account
    with _speaking(account):
        outcomes, error = _try(kind, content, account, progress, commit=False)
        run = db.session.get(ImportRun, run_id)
        _finish(run, outcomes, error, "checked")
    db.session.commit()
    return run.state


def claim_for_import(run_id):
    """Move a checked run without refusals to "importing"; whether this call did it."""
    result = db.session.execute(
        sa.update(ImportRun)
        .where(
            ImportRun.id == run_id,
            ImportRun.state == "checked",
            ImportRun.refused == 0,
            ImportRun.error.is_(None),
        )
        .values(state="importing")
    )
    return result.rowcount == 1


def commit_run(run_id, account_id, progress=None):
    """Import a claimed run: its rows are applied again and committed together, or, if
    anything is refused now, nothing is and the run shows the new preview."""
    run = db.session.get(ImportRun, run_id)
    account = db.session.get(Account, account_id)
    if run is None or run.state != "importing" or account is None:
        return None
    kind, content = run.kind, run.content
    with _speaking(account), acting_as(account.username, account.id):
        outcomes, error = _try(kind, content, account, progress, commit=True)
        run = db.session.get(ImportRun, run_id)
        refused = error is not None or any(o.action == "refused" for o in outcomes)
        if refused and error is None:
            error = str(
                _l(
                    "Something changed since the check: nothing was imported. See the rows refused now."
                )
            )
        _finish(run, outcomes, error, "checked" if outcomes and error else "done")
        if run.state == "done":
            run.finished_at, run.content = clock.now(), None
    db.session.commit()
    return run.state


def _try(kind, content, account, progress, commit):
    """(outcomes, None), or ([], the file's problem)."""
    try:
        return check_rows(kind, content, account, progress, commit), None
    except FileProblem as problem:
        return [], str(problem.message)


def _finish(run, outcomes, error, state):
    run.error = error
    run.state = "failed" if error and not outcomes else state
    run.checked_at = run.checked_at or clock.now()
    run.count(outcomes)
    replace_rows(run, outcomes)


def _speaking(account):
    """Messages in the language of the person who uploaded."""
    return force_locale((account.locale if account else None) or "zh_Hans_CN")


# ---- templates ----


def template_header(kind):
    return [column.header for column in IMPORTERS[kind].columns]


def template_notes(kind):
    """(header, required, what may be written) for each column of a template."""
    notes = []
    for column in IMPORTERS[kind].columns:
        allowed = column.note
        if column.choices is not None:
            allowed = "、".join(zh_labels(column.choices).values()) + (
                f"（{column.note}）" if column.note else ""
            )
        elif column.kind in ("date", "datetime") and not allowed:
            allowed = "2026-03-05"
        notes.append((column.header, column.required, allowed))
    return notes


def template_cells(kind):
    """Rows of the template filled with the records there are, as the office would write
    them (Chinese labels, 是/否, local times): a file that imports back unchanged."""
    columns = IMPORTERS[kind].columns
    labels = {c.key: zh_labels(c.choices) for c in columns if c.choices is not None}
    for values in ROWS[kind]():
        yield [_cell(column, values.get(column.key), labels) for column in columns]


def _cell(column, value, labels):
    if value is None:
        return ""
    if column.key in labels:
        return labels[column.key].get(value, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value
