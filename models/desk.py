"""What waits on each person: the to-do list (待办) of each role on the home page. The
office's own decisions it counts are found as models/decisions.py finds them.

Each to-do kind is one SQL condition, used both to count and list it here and by the
list its count links to (the assignments' and the key work checks' 待办 filter, the
criticism notices' state), so the two always agree. A kind is on the to-do list of the
roles that may take its step, and of no other."""

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import bounds, clock
from models.accounts import OFFICE
from models.assignment_records import ExtensionRequest
from models.base import Choices, db
from models.bulletins import issued_in
from models.criticism import CriticismNotice
from models.deadlines import working_days_after
from models.decisions import waiting_since
from models.directives import OPEN_STATUSES, Assignment, Directive
from models.keywork import CheckRound, KeyWorkArea, KeyWorkCheck, KeyWorkItem
from models.notices import Notice
from models.periods import month
from models.reports import Report, ReportTally
from models.solicitations import Solicitation
from models.units import Unit

# ---- the to-do lists (待办): what waits on each person, by kind ----

TODO_KINDS = Choices(
    result=_l("Results to accept or return"),
    extension=_l("Extension requests to decide"),
    objection=_l("Objections to decide"),
    unsigned=_l("Assignments not signed for in time"),
    waiting=_l("Reports waiting for an answer"),
    sign=_l("Assignments to sign for"),
    progress=_l("First progress reports due"),
    returned=_l("Results returned to redo"),
    returned_reports=_l("Reports returned"),
    solicitations=_l("Solicitations open"),
    red=_l("Overdue assignments"),
    yellow=_l("Assignments nearly due"),
    bulletin=_l("The month's ranking bulletin"),
    criticism_approve=_l("Criticism notices to approve"),
    criticism_issue=_l("Criticism notices to issue"),
    checks_to_judge=_l("Key work checks to judge"),
    checks_to_assess=_l("Key work checks to self-assess"),
)
# What each role's to-do holds, in the order shown; the assignments' kinds come first.
OFFICE_ASSIGNMENTS = ("result", "extension", "objection", "unsigned")
UNIT_ASSIGNMENTS = ("sign", "progress", "returned")
LEADER_ASSIGNMENTS = ("red", "yellow")
TODO_ITEMS = 5  # items listed under each kind; the count says how many there are
# The criticism notices' kinds: the step each waits for (models/criticism.py STEP_STATES).
CRITICISM_TODOS = {"criticism_approve": "approve", "criticism_issue": "issue"}
# The key work checks' kinds, each the SQL of whose move a check waits on.
CHECK_TODOS = {"checks_to_judge": KeyWorkCheck.to_judge, "checks_to_assess": KeyWorkCheck.to_assess}


@dataclass
class TodoItem:
    """One thing to do: the record it is about, what it is called, and its day."""

    record_id: int
    text: str
    unit_name: str = ""
    day: object = None


@dataclass
class Todo:
    kind: str  # a key of TODO_KINDS
    count: int = 0
    items: list = field(default_factory=list)  # the first TODO_ITEMS, most pressing first
    units: list | None = None  # (unit id, unit name, count) of each unit, where counted so
    bulletins: list | None = None  # the issued bulletins themselves, for the bulletin kind

    @property
    def label(self):
        return TODO_KINDS.label(self.kind)


def assignment_kinds(account):
    """The assignments' to-do kinds on `account`'s list: those of its role."""
    if account.role in OFFICE:
        return OFFICE_ASSIGNMENTS
    return UNIT_ASSIGNMENTS if account.role == "unit" else LEADER_ASSIGNMENTS


def unsigned_days():
    """DESK_UNSIGNED_DAYS, held to 0-60: the working days an assignment may wait unsigned
    before it is on the office's to-do."""
    return bounds.setting("DESK_UNSIGNED_DAYS")


def unsigned_since(today, working_days, calendar):
    """The last assignment day still counted late to sign for today: an assignment is on
    the office's to-do once `working_days` working days after it have passed."""
    working_days = bounds.held("DESK_UNSIGNED_DAYS", working_days)  # whoever passes it
    day = today - dt.timedelta(days=1)
    while working_days_after(day, working_days, calendar) >= today:
        day -= dt.timedelta(days=1)
    return day


def office_kind(unsigned_before):
    """SQL: which of the office's to-dos an assignment is on (NULL: none)."""
    return sa.case(
        (Assignment.status == "submitted", "result"),
        (Assignment.status == "objected", "objection"),
        (
            sa.and_(Assignment.status.in_(OPEN_STATUSES), Assignment.extension_pending()),
            "extension",
        ),
        (
            sa.and_(Assignment.status == "assigned", Assignment.assigned_on <= unsigned_before),
            "unsigned",
        ),
    )


def unit_kind():
    """SQL: which of a unit's to-dos its assignment is on (NULL: none)."""
    return sa.case(
        (Assignment.settled_by_lead_filter(), None),
        (Assignment.status == "assigned", "sign"),
        (Assignment.status == "returned", "returned"),
        (
            sa.and_(
                Assignment.status == "acknowledged",
                Assignment.progress_due_on.is_not(None),
                Assignment.last_progress_on.is_(None),
            ),
            "progress",
        ),
    )


def leader_kind(today, yellow):
    """SQL: overdue (red) and nearly due (yellow) assignments, by their light (none for a
    supporting part its lead units have closed)."""
    light = Assignment.light_expression(today, yellow)
    return sa.case((Assignment.settled_by_lead_filter(), None), else_=light)


def office_candidates():
    """SQL: the assignments that may be on the office's to-do (of `office_kind`): found
    through the status index and the pending extension requests, rather than by working
    out the kind of every open assignment (25,000 in a province, most with the units)."""
    return Assignment.is_open() & Assignment.id.in_(
        sa.union(
            sa.select(Assignment.id).where(
                Assignment.status.in_(("submitted", "objected", "assigned"))
            ),
            sa.select(ExtensionRequest.assignment_id).where(ExtensionRequest.state == "requested"),
        )
    )


def assignment_todos(account, kind, kinds, order, candidates=None):
    """One Todo for each of `kinds` of the assignments `account` may see, by `kind` (SQL),
    with its first items in `order`: one statement, whatever the number of rows;
    `candidates` (SQL) narrows them to the open assignments that may have a kind (all
    open ones, unless told; where told, it must keep closed ones out itself)."""
    rows = _first_of_kinds(
        Assignment.id,
        kind,
        kinds,
        order,
        # Every to-do is about an open assignment: the status narrows the rows by its
        # index before the kind (a CASE no index serves) is worked out for each.
        Assignment.is_open() if candidates is None else candidates,
        Assignment.visible_to(account),
    )
    return _assignment_todos(kinds, rows)


def leader_todos(account, today, yellow):
    """The leader's red and yellow (LEADER_ASSIGNMENTS): the assignments waiting on their
    units that `account` may see, but for the supporting parts settled by their lead units,
    by light (as `leader_kind` gives it). Both are counted in one pass of the waiting, each
    light a filtered count of its own condition, and each light's first items are read
    from the index of the waiting in its order. Not `assignment_todos`: in a province, its
    CASE worked out for 26,000 waiting rows, kept and read three times, took 54 ms against
    9 on PostgreSQL (the dates alone are tested here: the rows are known to wait), and 52
    against 17 on SQLite."""
    lights = dict(Assignment.waiting_lights(today, yellow))
    where = (sa.not_(Assignment.settled_by_lead_filter()), Assignment.visible_to(account))
    counted = sa.select(
        *(sa.func.count().filter(lights[kind]).label(kind) for kind in LEADER_ASSIGNMENTS)
    )
    counts = counted.where(Assignment.waits_on_unit(), *where).cte("counts")
    # In the index's order (due date, unit, then id): SQLite reads it in that order,
    # rather than the due dates' own index from the oldest assignment on.
    order = [Assignment.due_on, Assignment.unit_id]
    keys = [f"order_{n}" for n in range(len(order))]
    parts = []
    for kind in LEADER_ASSIGNMENTS:
        name = sa.literal(kind).label("kind")
        nothing = [_null(o.type, k) for o, k in zip(order, keys, strict=True)]
        parts.append(sa.select(name, counts.c[kind].label("n"), _null(sa.Integer, "id"), *nothing))
        first = (
            sa.select(name, _null(sa.BigInteger, "n"), Assignment.id.label("id"))
            .add_columns(*(o.label(k) for o, k in zip(order, keys, strict=True)))
            .where(Assignment.waits_on_unit_as_indexed(), *where, lights[kind])
            .order_by(*order, Assignment.id)
            .limit(TODO_ITEMS)
            .subquery()
        )
        parts.append(sa.select(first))  # a LIMIT in a UNION: from a subquery (SQLite)
    return _assignment_todos(LEADER_ASSIGNMENTS, sa.union_all(*parts).subquery())


def _assignment_todos(kinds, rows):
    """A Todo for each of `kinds` from `rows` of assignments, as `_first_of_kinds` gives
    them, each item named by its directive and unit."""
    query = (
        sa.select(rows.c.kind, rows.c.n, rows.c.id, Directive.number, Directive.title)
        .add_columns(Unit.name, Assignment.due_on)
        .select_from(rows)
        .outerjoin(Assignment, Assignment.id == rows.c.id)
        .outerjoin(Directive, Directive.id == Assignment.directive_id)
        .outerjoin(Unit, Unit.id == Assignment.unit_id)
        .order_by(*_in_order(rows))
    )
    return _todos(
        kinds,
        query,
        lambda row: TodoItem(row.id, f"{row.number} {row.title}", row.name, row.due_on),
    )


def _first_of_kinds(record_id, kind, kinds, order, *where):
    """A subquery: for each of `kinds`, a row (kind, n) of how many records meeting `where`
    are of it, and rows (kind, id, order_0, ...) of its first TODO_ITEMS records in
    `order` (then their id); `kind` is the SQL of a record's kind.

    The rows meeting `where` are read once with their kind (kept, MATERIALIZED); each kind
    is counted from them by a grouping and its first items taken by a LIMIT of its own,
    rather than every row sorted and numbered (22,000 rows of two kinds: twice as long).
    The kinds are picked after, not in the CTE: PostgreSQL cannot estimate a filter on a
    CASE, guesses a few hundred rows and reads 26,000 through the index one by one. For
    the same reason every kind is counted, `kinds` or not (the caller skips the others):
    a filtered count, guessed at a few hundred rows, is sorted rather than hashed (22,600
    rows: 10 ms against 8). Where each kind is a condition of its own on one index's
    rows, as a leader's lights are, `leader_todos` counts them without a CASE."""
    keys = [f"order_{n}" for n in range(len(order))]
    found = (
        sa.select(
            record_id.label("id"),
            kind.label("kind"),
            *(o.label(k) for o, k in zip(order, keys, strict=True)),
        )
        .where(*where)
        .cte("todo")
        .prefix_with("MATERIALIZED")
    )
    ordered = [found.c[k] for k in keys]
    # The count rows have no item, the item rows no count: typed NULLs (PostgreSQL reads
    # a bare NULL in a subquery as text).
    nothing = [_null(found.c[k].type, k) for k in keys]
    parts = [
        sa.select(
            found.c.kind, sa.func.count().label("n"), _null(sa.Integer, "id"), *nothing
        ).group_by(found.c.kind)
    ]
    for name in kinds:
        first = (
            sa.select(found.c.kind, _null(sa.BigInteger, "n"), found.c.id, *ordered)
            .where(found.c.kind == name)
            .order_by(*ordered, found.c.id)
            .limit(TODO_ITEMS)
            .subquery()
        )
        parts.append(sa.select(first))  # a LIMIT in a UNION: from a subquery (SQLite)
    return sa.union_all(*parts).subquery()


def _in_order(rows):
    """The order of `_first_of_kinds` rows: by kind, then its items in their order (the
    kind's count row, with no item, falls first or last: the database's NULLs decide)."""
    keys = [c for c in rows.c if c.key.startswith("order_")]
    return [rows.c.kind, *keys, rows.c.id]


def _todos(kinds, query, item):
    """A Todo for each of `kinds` from the rows of `query` over `_first_of_kinds`: the
    count rows give the counts, the others `item(row)`."""
    todos = {k: Todo(k) for k in kinds}
    for row in db.session.execute(query):
        todo = todos.get(row.kind)
        if todo is None:
            continue  # counted, but not one of `kinds`
        if row.id is None:
            todo.count = row.n
        else:
            todo.items.append(item(row))
    return list(todos.values())


def criticism_todos(account):
    """The criticism notices waiting for a step `account` may take (approve the drafts,
    issue the approved), by kind, the longest waiting first: one statement, and none for
    a role that may take neither step (models/criticism.py decides who may)."""
    notice = CriticismNotice
    kinds = [k for k, step in CRITICISM_TODOS.items() if not notice.actor_problem(account, step)]
    if not kinds:
        return []
    waits = {k: notice.waiting_for(account, CRITICISM_TODOS[k]) for k in kinds}
    kind = sa.case(*((waits[k], k) for k in kinds))
    # Waiting since the step before: its approval for an approved notice, else its drafting.
    since = sa.case((notice.state == "approved", notice.approved_at), else_=notice.drafted_at)
    rows = _first_of_kinds(notice.id, kind, kinds, [since], notice.visible_to(account))
    query = (
        sa.select(rows.c.kind, rows.c.n, rows.c.id, rows.c.order_0, notice.title, Unit.name)
        .select_from(rows)
        .outerjoin(notice, notice.id == rows.c.id)
        .outerjoin(Unit, Unit.id == notice.unit_id)
        .order_by(*_in_order(rows))
    )
    return _todos(
        kinds,
        query,
        lambda row: TodoItem(row.id, row.title, row.name, clock.local_date(row.order_0)),
    )


def check_todo(account, kind, today, order, day):
    """The key work checks `account` may see that wait on the to-do `kind` (CHECK_TODOS)
    on `today`, the first in `order`, each with its `day` (SQL): one statement."""
    query = (
        sa.select(KeyWorkCheck.id, KeyWorkArea.seq.label("area_seq"), KeyWorkItem.seq)
        .add_columns(KeyWorkItem.title, Unit.name, day.label("day"))
        .add_columns(sa.func.count().over().label("n"))
        .join(CheckRound, CheckRound.id == KeyWorkCheck.round_id)
        .join(KeyWorkItem, KeyWorkItem.id == KeyWorkCheck.item_id)
        .join(KeyWorkArea, KeyWorkArea.id == KeyWorkItem.area_id)
        .join(Unit, Unit.id == KeyWorkCheck.unit_id)
        .where(CHECK_TODOS[kind](today), KeyWorkCheck.visible_to(account))
        .order_by(*order, KeyWorkCheck.id)
        .limit(TODO_ITEMS)
    )
    todo = Todo(kind)
    for row in db.session.execute(query):
        todo.count = row.n
        when = clock.local_date(row.day) if isinstance(row.day, dt.datetime) else row.day
        text = f"{row.area_seq}-{row.seq} {row.title}"  # the item's number, as it is listed
        todo.items.append(TodoItem(row.id, text, row.name, when))
    return todo


def _null(type_, name):
    return sa.cast(sa.null(), type_).label(name)


def report_todo(account, kind, status, order, by_unit=False):
    """The Todo of the reports `account` may see in `status`: one statement, or two
    `by_unit` (the count by unit, from the tally, then the first items).

    The first items come in the order of an index: a count over the window of the rows
    would read and sort every one of them (200,000 waiting reports: 4 s)."""
    scope = sa.and_(Report.status == status, Report.visible_to(account))
    todo = Todo(kind)
    if by_unit:
        todo.units = _counts_by_unit(account, status)
        todo.count = sum(n for _id, _name, n in todo.units)
        count = sa.null()  # known: not read again
    else:
        count = sa.select(sa.func.count()).select_from(Report).where(scope).scalar_subquery()
    query = (
        sa.select(Report.id, Report.title, Unit.name, Report.submitted_at)
        .add_columns(count.label("n"))
        .join(Unit, Unit.id == Report.unit_id)
        .where(scope)
        .order_by(*order, Report.id)
        .limit(TODO_ITEMS)
    )
    for row in db.session.execute(query):
        if not by_unit:
            todo.count = row.n
        todo.items.append(TodoItem(row.id, row.title, row.name, clock.local_date(row.submitted_at)))
    return todo


def _counts_by_unit(account, status):
    """[(unit id, unit name, n)] of the reports `account` may see in `status`, from the
    tally the database keeps (a row a unit, not a row a report)."""
    counts = (
        sa.select(ReportTally.unit_id, ReportTally.n)
        .where(ReportTally.status == status, ReportTally.n > 0)
        .where(ReportTally.visible_to(account))
        .subquery()
    )
    return [(unit_id, name, int(n)) for unit_id, name, n in Unit.named(counts)]


def open_solicitations(unit_id, today):
    """SQL: the solicitations asking `unit_id`, not yet due, that it has not answered."""
    answered = (
        sa.select(Report.id)
        .where(Report.solicitation_id == Solicitation.id, Report.unit_id == unit_id)
        .exists()
    )
    return sa.and_(
        Solicitation.units.any(Unit.id == unit_id), Solicitation.due_on >= today, ~answered
    )


def solicitation_todo(unit_id, today):
    query = (
        sa.select(Solicitation.id, Solicitation.topic, Solicitation.due_on)
        .add_columns(sa.func.count().over().label("n"))
        .where(open_solicitations(unit_id, today))
        .order_by(Solicitation.due_on, Solicitation.id)
        .limit(TODO_ITEMS)
    )
    todo = Todo("solicitations")
    for row in db.session.execute(query):
        todo.count = row.n
        todo.items.append(TodoItem(row.id, row.topic, day=row.due_on))
    return todo


def todos(account, today, unsigned_days, calendar, yellow):
    """What waits on `account`, by kind, for its role: a fixed number of statements. The
    criticism notices' steps are on the to-do of whoever their rules let take them."""
    return [
        *_role_todos(account, today, unsigned_days, calendar, yellow),
        *criticism_todos(account),
    ]


def _role_todos(account, today, unsigned_days, calendar, yellow):
    if account.role in OFFICE:
        since = unsigned_since(today, unsigned_days, calendar)
        kinds = assignment_todos(
            account, office_kind(since), OFFICE_ASSIGNMENTS, [waiting_since()], office_candidates()
        )
        # By unit too: the home page shows where the waiting reports come from.
        waiting = report_todo(account, "waiting", "received", [Report.submitted_at], by_unit=True)
        judge = check_todo(
            account, "checks_to_judge", today, [KeyWorkCheck.assessed_at], KeyWorkCheck.assessed_at
        )
        return [*kinds, waiting, judge]
    if account.role == "unit":
        kinds = assignment_todos(account, unit_kind(), UNIT_ASSIGNMENTS, [Assignment.due_on])
        returned = report_todo(account, "returned_reports", "returned", [Report.answered_at.desc()])
        assess = check_todo(
            account,
            "checks_to_assess",
            today,
            [CheckRound.checked_on, KeyWorkArea.seq, KeyWorkItem.seq],
            CheckRound.checked_on,
        )
        return [*kinds, returned, solicitation_todo(account.unit_id, today), assess]
    return [*leader_todos(account, today, yellow), bulletin_todo(today)]


def bulletin_todo(today):
    """Last month's ranking bulletin: the bulletins the office issued of it (record ids,
    titles and numbers, the day issued; the bulletins themselves kept for the page's board),
    else, once the scan has sent the units their lines, its period and the day they went
    out (record id 0; the outbox's keys "bulletin:2026-11:…", read by range)."""
    period = month(today.replace(day=1) - dt.timedelta(days=1))
    issued = issued_in(period.key)
    if issued:
        todo = Todo("bulletin", len(issued), bulletins=issued)
        todo.items = [
            TodoItem(b.id, f"{b.title} {b.number_text}", day=clock.local_date(b.issued_at))
            for b in issued[:TODO_ITEMS]
        ]
        return todo
    prefix = f"bulletin:{period.key}:"
    sent = db.session.scalar(
        sa.select(sa.func.min(Notice.created_at)).where(
            Notice.dedupe_key >= prefix, Notice.dedupe_key < prefix[:-1] + ";"
        )
    )
    todo = Todo("bulletin", bulletins=[])
    if sent is not None:
        todo.count = 1
        todo.items.append(TodoItem(0, period.display_label, day=clock.local_date(sent)))
    return todo
