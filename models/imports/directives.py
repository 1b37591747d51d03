"""Importing directives (批示件) with their assignments: one row per assigned unit.

A directive is matched by its number, an assignment by its directive and unit. A new
assignment is assigned by the lifecycle's own `assign` (due date from the deadline rules
unless the file gives one, with its reason when it differs), then walked to the state
the file gives through the recorded steps (acknowledge, progress, submit_result with the
unit's signing leader, accept, return_result, cancel, raise_objection), so its history
and deadlines hold as if the office had clicked through them. Each row runs in a
savepoint: a step the rules refuse leaves nothing of the row behind.
"""

import collections
import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from models import clock
from models.base import RuleError, db
from models.deadlines import LEADER_LEVELS, DeadlineRule, WorkCalendar
from models.directives import Assignment, Directive
from models.feedback import Feedback, required_signer_duties
from models.imports.columns import Column, Headers, RowProblem
from models.imports.engine import Importer, Outcome, changes_text, in_chunks, set_changed
from models.imports.units import UnitCodes
from models.staff import Staff
from models.steps import ASSIGNMENT_STATUSES, OBJECTION_SUBJECTS, STEPS

COLUMNS = [
    Column(
        Directive.number,
        "number",
        required=True,
        max_length=50,
        note="唯一；已有的批示件按编号更新",
        aliases=("批示件编号",),
    ),
    Column(Directive.title, "title", required=True, max_length=200),
    Column(Directive.leader_name, "leader_name", required=True, max_length=50),
    Column(Directive.leader_level, "leader_level", "choice", required=True, choices=LEADER_LEVELS),
    Column(Directive.received_on, "received_on", "date", True, aliases=("收文日期",)),
    Column(Directive.urgent, "urgent", "bool", note="是/否，留空为否"),
    Column(Directive.confidential, "confidential", "bool", note="是/否，留空为否"),
    Column(Directive.content, "content"),
    Column("承办单位代码", "unit_code", max_length=32, note="一行一个承办单位；留空为尚未交办"),
    Column(Assignment.assigned_on, "assigned_on", "date", note="留空为收件日期"),
    Column(Assignment.due_on, "due_on", "date", note="留空按办理时限规则", aliases=("办理期限",)),
    Column("期限说明", "due_reason", note="期限与规则不同时必填"),
    Column(
        Assignment.status,
        "status",
        "choice",
        choices=ASSIGNMENT_STATUSES,
        note="留空为已交办",
        aliases=("办理状态",),
    ),
    Column(Assignment.finished_on, "finished_on", "date", note="已办结时必填"),
    Column(
        "签发人", "signer", max_length=50, note="已报结、已办结、退回重办时必填：本单位领导姓名"
    ),
    Column("异议事项", "objection_subject", "choice", choices=OBJECTION_SUBJECTS),
    Column("情况说明", "note", note="撤销、退回、异议的理由"),
]
HEADERS = Headers(COLUMNS)
FREE_FIELDS = [c for c in COLUMNS if c.key in ("title", "content", "leader_name", "confidential")]
# Fields the assignments' deadlines were computed from: fixed once the directive is assigned.
DEADLINE_FIELDS = [c for c in COLUMNS if c.key in ("received_on", "leader_level", "urgent")]
DIRECTIVE_KEYS = [c.key for c in FREE_FIELDS + DEADLINE_FIELDS]
# The lifecycle's steps an import may take: those that always lead to one status (STEPS
# says from which statuses). An import raises objections, never decides them.
WALK = {name: step.leads_to for name, step in STEPS.items() if step.leads_to}
CHANGE_ACTIONS = ("change_due_date", "grant_extension", "uphold_objection")


def path(start, goal):
    """The shortest list of steps from state `start` to `goal`, or None."""
    if start == goal:
        return []
    queue, seen = collections.deque([(start, [])]), {start}
    while queue:
        status, steps = queue.popleft()
        for step, after in WALK.items():
            if status not in STEPS[step].statuses or after in seen:
                continue
            if after == goal:
                return [*steps, step]
            seen.add(after)
            queue.append((after, [*steps, step]))
    return None


class DirectiveImporter(Importer):
    kind = "directives"
    columns = COLUMNS
    key_columns = ("number", "unit_code")

    def begin(self, reader, rows):
        self.codes = UnitCodes()
        self.calendar = WorkCalendar.load()
        self.rules = list(db.session.scalars(sa.select(DeadlineRule)))
        self.first = {}  # number -> (first row, its directive fields)
        self.assigned = {}  # (number, unit code) -> row
        self.signers = {}  # (unit id, name) -> [Staff]
        self.now = clock.now()

    def prepare(self, rows):
        self.codes.load(v.get("unit_code") for v in rows)
        unit_ids = {u.id for u in self.codes.units.values()}
        needed = unit_ids - {unit_id for unit_id, _name in self.signers}
        for chunk in in_chunks(needed):
            for person in db.session.scalars(sa.select(Staff).where(Staff.unit_id.in_(chunk))):
                self.signers.setdefault((person.unit_id, person.name), []).append(person)
        numbers = {v["number"] for v in rows}
        self.directives = {}
        for chunk in in_chunks(numbers):
            query = (
                sa.select(Directive)
                .where(Directive.number.in_(chunk))
                .options(sa.orm.selectinload(Directive.assignments))
            )
            self.directives.update((d.number, d) for d in db.session.scalars(query))

    def apply(self, row, values):
        self._check_repeat(row, values)
        savepoint = db.session.begin_nested()
        try:
            outcome = self._apply(row, values)
            savepoint.commit()
        except (RowProblem, RuleError) as problem:
            self._forget(savepoint, values)
            raise RowProblem(problem.message) from problem
        except IntegrityError as error:
            self._forget(savepoint, values)
            raise RowProblem(str(error.orig).splitlines()[0][:200]) from error
        self.first.setdefault(values["number"], (row, _directive_values(values)))
        if values.get("unit_code"):
            self.assigned[(values["number"], values["unit_code"])] = row
        return outcome

    def _forget(self, savepoint, values):
        """Undo the row; a directive it created is gone with it."""
        savepoint.rollback()
        directive = self.directives.get(values["number"])
        if directive is not None and sa.inspect(directive).session is None:
            del self.directives[values["number"]]

    def _check_repeat(self, row, values):
        """A later row of a directive met earlier must agree with it, and name another unit."""
        number = values["number"]
        if number in self.first:
            first_row, first = self.first[number]
            differs = [
                HEADERS[k]
                for k, v in _directive_values(values).items()
                if v is not None and first[k] is not None and first[k] != v
            ]
            if differs:
                raise RowProblem(
                    _l(
                        "The same directive as row %(row)s, but with another %(columns)s.",
                        row=first_row,
                        columns="、".join(differs),
                    )
                )
        code = values.get("unit_code")
        if code and (number, code) in self.assigned:
            raise RowProblem(
                _l(
                    "The same record as row %(row)s of this file.",
                    row=self.assigned[(number, code)],
                )
            )

    def _apply(self, row, values):
        directive, created, changes = self._directive(values)
        if not values.get("unit_code"):
            action = "create" if created else ("update" if changes else "unchanged")
            return Outcome(row, action, self.key(values), changes_text(changes))
        unit = self.codes.get(values["unit_code"], HEADERS["unit_code"])
        assignment = next((a for a in directive.assignments if a.unit_id == unit.id), None)
        if assignment is None:
            assignment = self._assign(directive, unit, values)
            detail = (
                f"{unit.name}：{ASSIGNMENT_STATUSES.label(assignment.status)}，{_due(assignment)}"
            )
            return Outcome(
                row,
                "create",
                self.key(values),
                "；".join(filter(None, [changes_text(changes), detail])),
            )
        changes += self._update(assignment, values)
        action = "update" if changes else "unchanged"
        return Outcome(row, action, self.key(values), changes_text(changes))

    # ---- the directive ----
    def _directive(self, values):
        """(directive, created, changes) for the row's number."""
        directive = self.directives.get(values["number"])
        if directive is None:
            fields = {k: v for k, v in _directive_values(values).items() if v is not None}
            directive = Directive(number=values["number"], **fields)
            db.session.add(directive)
            self.directives[directive.number] = directive
            return directive, True, []
        if directive.origin != "instruction":
            # A key work item's or a rectification's: kept through its own screen.
            raise RowProblem(
                _l("%(number)s is not a leader's instruction.", number=directive.number)
            )
        if directive.assignments:
            for column in DEADLINE_FIELDS:
                if column.key in values and getattr(directive, column.key) != values[column.key]:
                    raise RowProblem(
                        _l(
                            "“%(column)s” of a directive already assigned cannot change: its "
                            "deadlines were counted from it.",
                            column=column.header,
                        )
                    )
        return directive, False, set_changed(directive, values, FREE_FIELDS + DEADLINE_FIELDS)

    # ---- a new assignment ----
    def _assign(self, directive, unit, values):
        assigned_on = values.get("assigned_on") or directive.received_on
        if assigned_on > self.today:
            raise RowProblem(_l("“交办日期” is in the future."))
        assignment = Assignment(unit=unit, assigned_on=assigned_on, due_on=values.get("due_on"))
        directive.assignments.append(assignment)
        steps = Steps(self, assignment, values, clock.start_of(assigned_on) + dt.timedelta(hours=9))
        with db.session.no_autoflush:
            steps.take("assign")
            steps.walk(values.get("status") or "assigned")
        return assignment

    # ---- an assignment already recorded ----
    def _update(self, assignment, values):
        changes = []
        given = values.get("assigned_on")
        if given is not None and given != assignment.assigned_on:
            raise RowProblem(_l("“交办日期” of an assignment already recorded cannot change."))
        steps = Steps(self, assignment, values, self.now)
        due_on = values.get("due_on")
        with db.session.no_autoflush:
            if due_on is not None and due_on != assignment.due_on:
                changes.append((HEADERS["due_on"], assignment.due_on, due_on))
                steps.take("change_due_date")
            status = values.get("status")
            if status is not None and status != assignment.status:
                changes.append(
                    (
                        HEADERS["status"],
                        ASSIGNMENT_STATUSES.label(assignment.status),
                        ASSIGNMENT_STATUSES.label(status),
                    )
                )
                steps.walk(status)
        finished_on = values.get("finished_on")
        if assignment.status == "accepted" and finished_on not in (None, assignment.finished_on):
            steps.check_finished()
            changes.append((HEADERS["finished_on"], assignment.finished_on, finished_on))
            assignment.finished_on = finished_on
        return changes

    # ---- who signs ----
    def signer(self, assignment, name):
        if not name:
            return None  # the lifecycle says a result needs its signer
        people = self.signers.get((assignment.unit.id, name), [])
        if not people:
            raise RowProblem(_l("%(name)s (签发人) is not one of this unit's staff.", name=name))
        duties = required_signer_duties(assignment.directive.leader_level)
        return next((p for p in people if p.duty in duties), people[0])


class Steps:
    """The recorded steps of one row, each a minute after the one before it, all marked
    as coming from the import."""

    def __init__(self, importer, assignment, values, start):
        self.importer, self.assignment, self.values = importer, assignment, values
        self.moment = start

    def walk(self, goal):
        steps = path(self.assignment.status, goal)
        if steps is None:
            raise RowProblem(
                _l(
                    "An import cannot take this assignment from %(old)s to %(new)s: do it on "
                    "its page.",
                    old=ASSIGNMENT_STATUSES.label(self.assignment.status),
                    new=ASSIGNMENT_STATUSES.label(goal),
                )
            )
        if goal == "accepted":
            self.check_finished()
        for step in steps:
            if step == "submit_result" and goal == "accepted":
                # The result was submitted on the day the file says it was finished.
                day = clock.start_of(self.values["finished_on"]) + dt.timedelta(hours=10)
                self.moment = max(self.moment, min(day, self.importer.now))
            self.take(step)

    def check_finished(self):
        finished_on = self.values.get("finished_on")
        if finished_on is None:
            raise RowProblem(_l("An accepted assignment needs “办结日期”."))
        if finished_on < self.assignment.assigned_on or finished_on > self.importer.today:
            raise RowProblem(_l("“办结日期” must fall between the assignment date and today."))

    def take(self, step):
        a, values, actor = self.assignment, self.values, self.importer.actor
        at, note = self.moment, values.get("note") or ""
        before = len(a.events)
        if step == "assign":
            a.assign(
                actor,
                self.importer.calendar,
                self.importer.rules,
                values.get("due_reason") or "",
                at=at,
            )
        elif step == "change_due_date":
            a.change_due_date(actor, values["due_on"], values.get("due_reason") or "", at=at)
        elif step == "acknowledge":
            a.acknowledge(actor, at=at)
        elif step == "object":
            a.raise_objection(
                actor, values.get("objection_subject"), note, self.importer.calendar, at=at
            )
        elif step == "progress":
            a.report_progress(actor, at=at)
        elif step == "submit_result":
            signer = self.importer.signer(a, values.get("signer"))
            Feedback(assignment=a, kind="result", text=RESULT_TEXT, signer=signer).file(actor, at)
        elif step == "accept":
            a.accept(actor, at=at)
            a.finished_on = values["finished_on"]  # as the file says, if it was not today
        elif step == "return_result":
            a.return_result(actor, note, at=at)
        elif step == "cancel":
            a.cancel(actor, note, at=at)
        for event in a.events[before:]:
            event.comment = "；".join(filter(None, [IMPORTED, event.comment]))
        self.moment += dt.timedelta(minutes=1)


IMPORTED = "导入"
# The text of the result report an import files for a unit (the original is on paper).
RESULT_TEXT = "（导入）办理结果见原有台账。"


def _directive_values(values):
    return {key: values.get(key) for key in DIRECTIVE_KEYS}


def _due(assignment):
    return f"{HEADERS['due_on']} {assignment.due_on.isoformat()}"
