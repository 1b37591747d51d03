"""Importing reports (信息稿件) with their adoptions: one row per adoption.

A report is matched by its title, unit and the day it was submitted; the rows of one
report (one per publication that adopted it) repeat its fields. An adoption is matched
by its report and publication. Answers and adoptions follow the report's own rules
(`answer_problem`, `adoption_problem`), and a new adoption earns the points the scoring
table gives when it is saved, as every adoption does.
"""

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import clock
from models.base import db
from models.imports.columns import Column, Headers, RowProblem, as_text
from models.imports.engine import Importer, Outcome, changes_text
from models.imports.units import UnitCodes
from models.reports import CATEGORIES, REPORT_STATUSES, Adoption, Publication, Report

COLUMNS = [
    Column(Report.title, "title", required=True, max_length=200),
    Column("单位代码", "unit_code", required=True, max_length=32),
    Column(Report.submitted_at, "submitted", "datetime", required=True, note="日期，或日期和时间"),
    Column(Report.category, "category", "choice", True, choices=CATEGORIES, aliases=("类别",)),
    Column(Report.author, "author", required=True, max_length=100, aliases=("作者",)),
    Column(Report.body, "body"),
    Column(
        Report.event_at,
        "event_at",
        "datetime",
        note="紧急信息必填，写到时分",
        aliases=("事件时间",),
    ),
    Column(
        Report.status,
        "status",
        "choice",
        choices=REPORT_STATUSES,
        note="留空：有采用为已采用，否则已收稿",
        aliases=("回音",),
    ),
    Column(Report.answer_comment, "answer_comment", note="退稿时必填"),
    Column(
        Adoption.publication,
        "publication",
        max_length=100,
        note="计分表中的刊物名称",
        aliases=("采用刊物",),
    ),
    Column(Adoption.issue_no, "issue_no", "int"),
    Column(Adoption.adopted_on, "adopted_on", "date"),
]
REPORT_KEYS = ("category", "author", "body", "event_at", "status", "answer_comment", "submitted")
ADOPTION_KEYS = ("publication", "issue_no", "adopted_on")
HEADERS = Headers(COLUMNS)


@dataclass
class Entry:
    """A report met in the file: its first row, a fingerprint of its fields, its record."""

    first_row: int
    fingerprint: dict
    report: object = None  # the Report while its chunk runs
    report_id: int | None = None
    publications: set = field(default_factory=set)  # adopted in rows of this file


def _day(moment):
    return moment.date() if isinstance(moment, dt.datetime) else moment


def _local(value):
    """A stored timestamp in the office's time zone, to the second."""
    if value is None:
        return None
    return clock.local(value).replace(microsecond=0)


def _aware(moment):
    """A time read from the file (the office's local time) as an aware datetime."""
    if isinstance(moment, dt.datetime) and moment.tzinfo is None:
        return moment.replace(tzinfo=clock.office_zone())
    return moment


def naive(value):
    """A stored timestamp as the file shows it: local time, without a zone."""
    local = _local(value)
    return local.replace(tzinfo=None) if local is not None else None


def _fingerprint(values):
    """A small stand-in for the report's fields in a row, to compare later rows with."""
    return {k: hash(as_text(values[k])) for k in REPORT_KEYS if values.get(k) is not None}


class ReportImporter(Importer):
    kind = "reports"
    columns = COLUMNS
    key_columns = ("unit_code", "title", "submitted")

    def begin(self, reader, rows):
        self.codes = UnitCodes()
        self.publications = {p.name: p for p in db.session.scalars(sa.select(Publication))}
        self.entries = {}  # (unit id, title, day) -> Entry
        self.current = []  # entries whose report is held while the chunk runs
        self.now = clock.now()

    def prepare(self, rows):
        for entry in self.current:  # flushed with the previous chunk: keep the id only
            entry.report_id, entry.report = entry.report.id, None
        self.current = []
        self.codes.load(v["unit_code"] for v in rows)
        keys = set()
        for values in rows:
            unit = self.codes.units.get(values["unit_code"])
            if unit is not None:
                keys.add((unit.id, values["title"], _day(values["submitted"])))
        self.existing = self._existing(keys - set(self.entries))

    @staticmethod
    def _existing(keys):
        """{key: Report} already recorded, with their adoptions; a key twice is None."""
        if not keys:
            return {}
        days = [day for _u, _t, day in keys]
        query = (
            sa.select(Report)
            .where(
                Report.unit_id.in_({unit_id for unit_id, _t, _d in keys}),
                Report.title.in_({title for _u, title, _d in keys}),
                Report.submitted_at >= clock.start_of(min(days)),
                Report.submitted_at < clock.start_of(max(days) + dt.timedelta(days=1)),
            )
            .options(sa.orm.selectinload(Report.adoptions))
        )
        found = {}
        for report in db.session.scalars(query):
            key = (report.unit_id, report.title, clock.local_date(report.submitted_at))
            if key in keys:
                found[key] = None if key in found else report
        return found

    def apply(self, row, values):
        unit = self.codes.get(values["unit_code"])
        key = (unit.id, values["title"], _day(values["submitted"]))
        adoption = self._adoption(values)
        entry = self.entries.get(key)
        if entry is not None:
            return self._again(row, entry, values, adoption)
        if key in self.existing and self.existing[key] is None:
            raise RowProblem(
                _l("Two reports already recorded have this title, unit and day: change them first.")
            )
        report = self.existing.get(key)
        if report is None:
            outcome, report = self._create(row, unit, values, adoption)
        else:
            outcome = self._update(row, report, values, adoption)
        entry = Entry(row, _fingerprint(values), report=report)
        if adoption:
            entry.publications.add(adoption[0].id)
        self.entries[key] = entry
        self.current.append(entry)
        return outcome

    def key(self, values):
        return f"{values.get('unit_code', '')} {values.get('title', '')} {as_text(_day(values.get('submitted')) or '')}"

    # ---- a new report ----
    def _create(self, row, unit, values, adoption):
        submitted_at = self._submitted_at(values)
        draft = Report(status="received", submitted_at=submitted_at, category=values["category"])
        status = self._status(draft, values, adoption, has_adoptions=False)
        self._check_event(values["category"], values.get("event_at"), submitted_at)
        if adoption:
            self._check_adoption(draft, adoption)
        report = Report(
            title=values["title"],
            unit_id=unit.id,
            category=values["category"],
            author=values["author"],
            body=values.get("body") or "",
            submitted_at=submitted_at,
            event_at=_aware(values.get("event_at")),
        )
        db.session.add(report)
        self._answer(report, status, values.get("answer_comment"), adoption)
        detail = str(REPORT_STATUSES.label(report.status))
        if adoption:
            detail += f"；{_adoption_text(adoption)}"
        return Outcome(row, "create", self.key(values), detail), report

    def _submitted_at(self, values):
        submitted = values["submitted"]
        if isinstance(submitted, dt.datetime):
            return _aware(submitted)
        if values.get("category") == "emergency":
            raise RowProblem(
                _l("An emergency report's “报送时间” needs the time of day, not only the date.")
            )
        return clock.start_of(submitted)

    @staticmethod
    def _check_event(category, event_at, submitted_at):
        if category == "emergency" and event_at is None:
            raise RowProblem(_l("An emergency report needs the time of the event."))
        if isinstance(event_at, dt.date) and not isinstance(event_at, dt.datetime):
            raise RowProblem(_l("“事件时间” needs the time of day, not only the date."))
        if event_at is not None and _aware(event_at) > submitted_at:
            raise RowProblem(_l("The event cannot come after the report."))

    def _status(self, report, values, adoption, has_adoptions):
        """The answer the row asks for, checked by the report's rules."""
        status = values.get("status")
        if status is None:
            status = "adopted" if adoption or has_adoptions else report.status
        if (adoption or has_adoptions) and status != "adopted":
            raise RowProblem(
                _l(
                    "An adopted report's “回音” is %(adopted)s, not %(status)s.",
                    adopted=REPORT_STATUSES.label("adopted"),
                    status=REPORT_STATUSES.label(status),
                )
            )
        adopting = bool(adoption) or has_adoptions
        problem = report.answer_problem(status, values.get("answer_comment"), adopting)
        if problem:
            raise RowProblem(problem)
        return status

    def _check_adoption(self, report, adoption):
        publication, _issue, adopted_on = adoption
        problem = report.adoption_problem(publication, adopted_on, self.today)
        if problem:
            raise RowProblem(problem)

    def _answer(self, report, status, comment, adoption):
        """Give the answer and record the adoption, as the office's screens do."""
        if adoption:
            publication, issue_no, adopted_on = adoption
            report.adoptions.append(
                Adoption(publication=publication, issue_no=issue_no, adopted_on=adopted_on)
            )
        if status == report.status or (status == "received" and report.status is None):
            report.status = status
            if comment is not None:
                report.answer_comment = comment
            return
        if status == "adopted":
            report.status = "adopted"
            report.answer_comment = comment or report.answer_comment
            report.answered_by, report.answered_at = self.actor, self.now
        elif status == "received":
            report.status = "received"
        else:
            report.answer(status, self.actor, comment)

    # ---- a report already recorded ----
    def _update(self, row, report, values, adoption):
        has_adoptions = bool(report.adoptions)
        status = self._status(report, values, adoption, has_adoptions)
        submitted = values["submitted"]
        # A day alone keeps the time already recorded.
        submitted_at = _aware(submitted) if isinstance(submitted, dt.datetime) else None
        category = values.get("category", report.category)
        event_at = values.get("event_at", _local(report.event_at))
        self._check_event(category, event_at, submitted_at or _local(report.submitted_at))
        existing = _existing_adoption(report, adoption)
        if adoption and existing is None:
            self._check_adoption(report, adoption)
        changes = self._report_changes(report, values, submitted_at)
        changes += self._apply_status(report, status, values.get("answer_comment"))
        changes += self._adopt(report, adoption, existing)
        action = "update" if changes else "unchanged"
        return Outcome(row, action, self.key(values), changes_text(changes))

    def _report_changes(self, report, values, submitted_at):
        changes = []
        for key in ("category", "author", "body"):
            if key in values and getattr(report, key) != values[key]:
                changes.append((HEADERS[key], getattr(report, key), values[key]))
                setattr(report, key, values[key])
        event_at = _aware(values.get("event_at"))
        for key, new in (("submitted_at", submitted_at), ("event_at", event_at)):
            old = _local(getattr(report, key))
            if new is not None and old != new:
                header = HEADERS["submitted" if key == "submitted_at" else key]
                changes.append((header, old, new))
                setattr(report, key, new)
        return changes

    def _apply_status(self, report, status, comment):
        changes = []
        if comment is not None and comment != (report.answer_comment or ""):
            changes.append((HEADERS["answer_comment"], report.answer_comment, comment))
        if status != report.status:
            changes.append(
                (
                    HEADERS["status"],
                    REPORT_STATUSES.label(report.status),
                    REPORT_STATUSES.label(status),
                )
            )
        if changes:
            self._answer(report, status, comment, None)
        return changes

    def _adopt(self, report, adoption, existing):
        if not adoption:
            return []
        publication, issue_no, adopted_on = adoption
        if existing is None:
            report.adoptions.append(
                Adoption(publication=publication, issue_no=issue_no, adopted_on=adopted_on)
            )
            if report.status != "adopted":
                self._answer(report, "adopted", None, None)
            return [(HEADERS["publication"], None, _adoption_text(adoption))]
        changes = []
        for key, new in (("issue_no", issue_no), ("adopted_on", adopted_on)):
            if getattr(existing, key) != new:
                changes.append((f"{publication.name}{HEADERS[key]}", getattr(existing, key), new))
                setattr(existing, key, new)
        return changes

    # ---- a later row of a report met earlier in the file ----
    def _again(self, row, entry, values, adoption):
        fingerprint = _fingerprint(values)
        differs = [
            HEADERS[k]
            for k in fingerprint
            if k in entry.fingerprint and entry.fingerprint[k] != fingerprint[k]
        ]
        if differs:
            raise RowProblem(
                _l(
                    "The same report as row %(row)s, but with another %(columns)s.",
                    row=entry.first_row,
                    columns="、".join(differs),
                )
            )
        if not adoption:
            detail = str(_l("The same report as row %(row)s.", row=entry.first_row))
            return Outcome(row, "unchanged", self.key(values), detail)
        publication = adoption[0]
        if publication.id in entry.publications:
            raise RowProblem(
                _l(
                    "Row %(row)s already has this report's adoption by this publication.",
                    row=entry.first_row,
                )
            )
        report = entry.report or db.session.get(Report, entry.report_id)
        existing = _existing_adoption(report, adoption)
        if existing is None:
            self._check_adoption(report, adoption)
        changes = self._adopt(report, adoption, existing)
        entry.publications.add(publication.id)
        action = "unchanged" if not changes else ("create" if existing is None else "update")
        return Outcome(row, action, self.key(values), changes_text(changes))

    def _adoption(self, values):
        """(publication, issue number, date) of the row, None, or RowProblem when partial."""
        given = [k for k in ADOPTION_KEYS if values.get(k) is not None]
        if not given:
            return None
        if len(given) < len(ADOPTION_KEYS):
            raise RowProblem(_l("An adoption needs “采用刊物”, “期号” and “采用日期”, all three."))
        publication = self.publications.get(values["publication"])
        if publication is None:
            raise RowProblem(
                _l(
                    "No publication is called %(name)s in the scoring table.",
                    name=values["publication"],
                )
            )
        if values["issue_no"] <= 0:
            raise RowProblem(_l("“期号” must be above zero."))
        return publication, values["issue_no"], values["adopted_on"]


def _existing_adoption(report, adoption):
    if not adoption:
        return None
    return next((a for a in report.adoptions if a.publication_id == adoption[0].id), None)


def _adoption_text(adoption):
    publication, issue_no, adopted_on = adoption
    return f"{publication.name} 第{issue_no}期 {adopted_on.isoformat()}"
