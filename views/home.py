"""The admin's home page: what needs doing today, by role, and search everywhere."""

import datetime as dt

from flask import jsonify, redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user

from models import RANKING_GROUPS, REPORT_STATUSES, Unit, WorkCalendar, clock, db
from models import today as worklist
from models.accounts import OFFICE
from models.criticism import STEP_STATES
from models.desk import (
    CHECK_TODOS,
    CRITICISM_TODOS,
    LEADER_ASSIGNMENTS,
    OFFICE_ASSIGNMENTS,
    UNIT_ASSIGNMENTS,
    todos,
    unsigned_days,
)
from models.directives import LIGHTS, yellow_days
from models.periods import month
from models.ranking import sees_ranking
from models.search import KINDS, search
from views.base.cache import cache


def filter_key(flt):
    """What a list filter filters on: its own key (the light, "due within", a to-do), or
    its column's name."""
    if hasattr(flt, "key"):
        return flt.key
    column = getattr(flt, "column", None)
    return getattr(column, "key", None)


def _operation_is(flt, operation):
    """Whether the filter does `operation` ("" takes a column's first filter, its "equals")."""
    kind = type(flt).__name__
    if operation == "between":
        return kind.endswith("BetweenFilter") and "NotBetween" not in kind
    return not operation


class ListLinks:
    """URLs of the filtered lists behind the numbers, as Flask-Admin's filters write them
    (`flt0_3=value`); None where the person may not open the list.

    A filter is named by what it filters on; `name__between` picks the column's "between"
    filter rather than its first ("equals")."""

    def __init__(self, admin):
        self.views = {view.endpoint: view for view in admin._views}

    def __call__(self, endpoint, _oldest_first=None, **filters):
        """The list's URL with these filters; `_oldest_first` names a column to sort it by,
        ascending (as the home page lists the items)."""
        view = self.views.get(endpoint)
        if view is None or not view.is_accessible():
            return None
        args = {}
        if _oldest_first:
            names = [name for name, _label in view._list_columns]
            args.update(sort=names.index(_oldest_first), desc=0)
        for position, (key, value) in enumerate(filters.items()):
            args[f"flt{position}_{self._arg(view, key)}"] = value
        return url_for(f"{endpoint}.index_view", **args)

    @staticmethod
    def _arg(view, key):
        name, _sep, operation = key.partition("__")
        for arg, (_index, flt) in view._filter_args.items():
            if filter_key(flt) == name and _operation_is(flt, operation):
                return arg
        raise KeyError(f"the list {view.endpoint} has no filter on {key}")

    def page(self, endpoint, _action="index", **args):
        """A page of our own (ranking, monthly report, a bulletin's document), if the
        person may open it."""
        view = self.views.get(endpoint)
        if view is None or not view.is_accessible():
            return None
        return url_for(f"{endpoint}.{_action}", **args)


# Where each to-do kind's count leads (a list and its filter), and its items' pages.
TODO_LINKS = {
    **{kind: ("assignments", {"todo": kind}) for kind in OFFICE_ASSIGNMENTS + UNIT_ASSIGNMENTS},
    # Listed by due date, the oldest first, as the home page lists their first items.
    **{
        kind: ("assignments", {"todo": kind, "_oldest_first": "due_on"})
        for kind in LEADER_ASSIGNMENTS
    },
    "waiting": ("reports", {"status": "received", "_oldest_first": "submitted_at"}),
    "returned_reports": ("reports", {"status": "returned"}),
    "solicitations": ("solicitations", {"open": "1"}),
    "bulletin": ("ranking", {}),  # a page of its own: the ranking of the month it is of
    # The notices in the one state each step is taken in.
    **{
        kind: ("criticism", {"state": STEP_STATES[step][0]})
        for kind, step in CRITICISM_TODOS.items()
    },
    **{kind: ("key_work_checks", {"todo": kind}) for kind in CHECK_TODOS},
}


def desk(account, today):
    """What waits on `account` today (models/desk.py), with the office's settings."""
    calendar = WorkCalendar.load() if account.role in OFFICE else None
    return todos(account, today, unsigned_days(), calendar, yellow_days())


def desk_count():
    """How many things wait on the person logged in, for the menu; kept half a minute."""
    return _counts().get(_count_key(), lambda: _total(desk(current_user, clock.today())))


def _counts():
    return cache("desk counts", 1000, 30)


def _count_key():
    return (current_user.id, current_user.role, current_user.unit_id)


def _todo(found, kind):
    return next(todo for todo in found if todo.kind == kind)


def _total(found):
    return sum(todo.count for todo in found)


class HomeView(AdminIndexView):
    """What needs doing today, within what the person may see."""

    def is_accessible(self):
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path))

    @expose("/")
    def index(self):
        today = clock.today()
        role = current_user.role
        todos = self._desk(today)
        if role in OFFICE:
            page = self._office(today, todos)
        elif role == "unit":
            page = self._unit(today)
        else:
            page = self._leader(today, todos)
        return self.render(
            "admin/home.html",
            today=today,
            role=role,
            todos=todos,
            todo_links=TODO_LINKS,
            links=ListLinks(self.admin),
            month=f"{today:%Y-%m}",
            last_month=month(today.replace(day=1) - dt.timedelta(days=1)),
            month_so_far=f"{today.replace(day=1)} 00:00:00 to {today} 23:59:59",
            groups=RANKING_GROUPS,
            statuses=REPORT_STATUSES,
            light_labels=LIGHTS,
            local=clock.local,
            **page,
        )

    @staticmethod
    def _desk(today):
        found = desk(current_user, today)
        _counts().put(_count_key(), _total(found))  # the badge as fresh as the page
        return found

    def _office(self, today, todos):
        days = worklist.due_days()
        return {
            "days": days,
            # The to-do's own count of waiting reports, by unit.
            "waiting": worklist.by_unit(_todo(todos, "waiting").units, "waiting"),
            "deadlines": worklist.deadlines(current_user, today, days),
            "notices": worklist.notice_problems(current_user),
            "places": worklist.month_places(today),
        }

    def _unit(self, today):
        unit = db.session.get(Unit, current_user.unit_id)
        statuses, this_month = worklist.report_statuses(current_user, today)
        quota, totals = worklist.unit_quota(unit.id, today.year)
        return {
            "unit": unit,
            "report_counts": statuses,
            "this_month": this_month,
            "answers": worklist.latest_answers(current_user),
            "lights": worklist.lights(current_user, today),
            "urgent": worklist.most_urgent(current_user, today),
            # The rank line only where the ranking page is open to the unit too.
            "place": worklist.unit_place(unit, today) if sees_ranking(current_user) else None,
            "quota": quota,
            "totals": totals,
        }

    def _leader(self, today, todos):
        return {
            # Last month's bulletins as the to-do read them: read once.
            "places": worklist.month_places(today, issued=_todo(todos, "bulletin").bulletins),
            "completion": worklist.completion(today),
            # The overdue and nearly due are the leader's to-do: counted once, and the
            # same count behind the same list wherever the page shows them.
            "overdue": {kind: _todo(todos, kind) for kind in LEADER_ASSIGNMENTS},
        }

    @expose("/todo-count/")
    def todo_count(self):
        """How many things wait on the person: the badge beside the menu (static/ducha.js)."""
        return jsonify(count=desk_count())

    @expose("/search/")
    def search(self):
        """Units, staff, reports and directives matching the words, as far as one may see."""
        text = (request.args.get("q") or "").strip()
        found = search(current_user, text)
        return self.render(
            "admin/search.html",
            q=text,
            found=found,
            kinds=KINDS,
            links=ListLinks(self.admin),
            statuses=REPORT_STATUSES,
            local=clock.local,
        )
