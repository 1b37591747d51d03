"""Hostile input, for every role: every GET route of the app (but static files) with bad
values in its path and on each parameter it reads, and every form (Flask-Admin's create and edit forms of every model
view, an assignment's steps, feedback with files, the batch adoption, the import upload,
login and password) with bad values in each field. Nothing answers 5xx; a refused form
says why and saves nothing; what is accepted leaves a record whose pages still open.

The corpus is fixed (tests/hostile.py) and shared out: each role sends its part of it,
so that the roles together send every group of values to every parameter, and every
form value to every field, once (see `share` and `turn`).
"""

import datetime as dt
import io
import re
from pathlib import Path
from urllib.parse import quote, urlencode

import flask
import pytest
import sqlalchemy as sa

from models import (
    Account,
    Assignment,
    AuditEntry,
    CalendarDay,
    CheckRound,
    Commendation,
    DeadlineRule,
    Deduction,
    KeyWorkArea,
    KeyWorkItem,
    PayRate,
    Quota,
    Report,
    ScoreRule,
    SiteVisit,
    Solicitation,
    Staff,
    SupervisionProject,
    Unit,
    clock,
    db,
)
from models.imports import start_run
from tests import factories
from tests.helpers import login
from tests.hostile import FORM_VALUES, Field, form_value, must_refuse, read_form, share, turn
from tests.test_access import CREATE
from views.assignment_actions import FORMS
from views.secure import SecureModelView

ROLES = ("admin", "staff", "leader", "unit")
ROOT = Path(__file__).resolve().parent.parent

LIST = ("page", "page_size", "sort", "desc", "search")
MODEL_PAGES = {
    "index_view": LIST,
    "export": LIST,
    "details_view": ("id", "url"),
    "edit_view": ("id", "url"),
    "create_view": ("url",),
    "ajax_lookup": ("name", "query", "offset", "limit"),
}
# The parameters the pages of our own read (a test below holds this to the code).
PAGES = {
    "admin.search": ("q",),
    "ranking.index": ("period", "from", "to", "group", "format", "unit"),
    "directive_report.index": ("month",),
    "directive_report.export": ("month",),
    "evaluation.index": ("year", "group", "show"),
    "evaluation.export": ("year", "group", "show"),
    "evaluation.quarter_view": ("period", "group"),
    "evaluation.quarter_export": ("period", "group"),
    "imports.run_view": ("show", "page"),
    "imports.template": ("filled",),
    "auth.login": ("next",),
    "feedback.create_view": ("url", "assignment", "kind"),
    "directives.due_dates": ("leader_level", "urgent", "received_on"),
    "directives.supervision_notice_page": ("id",),
    "directives.supervision_notice_docx": ("id",),
    "assignments.chase_notice_page": ("id",),
    "assignments.chase_notice_docx": ("id",),
    "reports.adopt_view": ("ids",),
    "award_sheet.index": ("year", "as_of", "show"),
    "award_sheet.export": ("year", "as_of", "show"),
    "key_work_rounds.summary": ("id", "area"),
    "key_work_rounds.summary_xlsx": ("id", "area"),
}
EVERY_PAGE = ("lang",)
GOOD_PATH = {"export_type": "csv", "fmt": "csv", "kind": "units"}
REFUSAL = re.compile(r"invalid-feedback|alert-danger")


@pytest.fixture
def app_config():
    # An exception answers 500 as in production, so that one probe does not end the walk.
    return {"PROPAGATE_EXCEPTIONS": False}


@pytest.fixture
def failures(app):
    """What went wrong, as lines: an exception a request raised is recorded here too."""
    found = []

    def record(sender, exception, **extra):
        request = flask.request
        found.append(f"{request.method} {request.full_path[:150]!r} raised {exception!r}"[:300])

    flask.got_request_exception.connect(record, app)
    yield found
    flask.got_request_exception.disconnect(record, app)


def _fetch(client, failures, method, url, **kwargs):
    """The response, read whole (an export streams: it may fail after its headers)."""
    try:
        response = client.open(url, method=method, buffered=True, **kwargs)
    except Exception as error:
        failures.append(f"{method} {url[:150]!r} failed while streaming: {error!r}"[:300])
        return None
    if response.status_code >= 500:
        failures.append(f"{method} {url[:150]!r} answered {response.status_code}")
    return response


def _report(failures):
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:60])


# ---- every GET route, every parameter ----


def _views(app):
    return {view.endpoint: view for view in app.extensions["admin"][0]._views}


def parameters(app, rule):
    """The query parameters the view of `rule` reads."""
    screen, _dot, page = rule.endpoint.partition(".")
    names = PAGES.get(rule.endpoint, MODEL_PAGES.get(page, ()))
    view = _views(app).get(screen)
    if page in ("index_view", "export") and isinstance(view, SecureModelView):
        names += tuple(f"flt0_{arg}" for arg in view._filter_args or {})
    return EVERY_PAGE + names


def _path(rule, args):
    path = rule.rule
    for name, value in args.items():
        path = re.sub(rf"<(?:\w+:)?{name}>", quote(str(value), safe=""), path)
    return path


def get_requests(app, role, ids):
    """The URLs `role` sends: each rule's path with a bad value in each of its parts,
    then with its share of bad values on each parameter."""
    part = ROLES.index(role)
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.endswith("static"):
            continue
        good = {name: {**GOOD_PATH, **ids}.get(name, 1) for name in rule.arguments}
        for name in rule.arguments:
            for value in share(f"{rule.rule}<{name}>", part, groups_each=1):
                yield _path(rule, {**good, name: value})
        for name in parameters(app, rule):
            for value in share(f"{rule.rule}?{name}", part):
                yield f"{_path(rule, good)}?{urlencode({name: value})}"


@pytest.fixture
def ids(app, world):
    """Ids for the paths that need a record: an import run."""
    with app.app_context():
        account = db.session.get(Account, world.account_ids["admin"])
        run = start_run("units", "单位.csv", "单位代码,单位名称\n".encode(), account)
        db.session.commit()
        return {"run_id": run.id}


@pytest.mark.parametrize("role", ROLES)
def test_every_get_route_takes_hostile_parameters(app, as_role, world, ids, failures, role):
    client = as_role(role)
    sent = 0
    for url in get_requests(app, role, ids):
        _fetch(client, failures, "GET", url)
        sent += 1
    assert sent > 1000
    _report(failures)


READS = re.compile(
    r'(?:request\.(?:args|values)\.get|arg_id|arg_number|arg_day)\(\s*"(\w+)"|request\.args\["(\w+)"\]'
)


def test_the_parameters_probed_are_those_the_code_reads(app):
    """Every query parameter our code reads is probed on some route (add it to PAGES)."""
    read = set()
    for path in [ROOT / "app.py", *(ROOT / "views").glob("*.py")]:
        read |= {a or b for a, b in READS.findall(path.read_text())}
    probed = {name for rule in app.url_map.iter_rules() for name in parameters(app, rule)}
    assert len(read) > 10 and read <= probed, read - probed


# ---- forms: what they refuse saves nothing, what they take opens again ----


def _state(app, model, record_id):
    """What a post may change: the audit trail's length, the model's rows, the record."""
    table, audit = model.__table__, AuditEntry.__table__
    counts = sa.select(
        sa.select(sa.func.count()).select_from(audit).scalar_subquery(),
        sa.select(sa.func.count()).select_from(table).scalar_subquery(),
    )
    with app.app_context():
        row = None
        if record_id is not None:
            row = db.session.execute(sa.select(table).where(table.c.id == record_id)).one()
        return (*db.session.execute(counts).one(), row)


def check_post(client, failures, app, url, data, probe, model=None, record_id=None, **kwargs):
    """Post `data` (one field hostile, as `probe` = (name, field, value) says) and hold
    the outcome to the rules; True when the form took it."""
    name, field, value = probe
    before = _state(app, model, record_id) if model else None
    response = _fetch(client, failures, "POST", url, data=data, **kwargs)
    if response is None or response.status_code >= 500:
        return False
    where = f"POST {url} {name}={value[:20]!r}"
    took = response.status_code in (301, 302, 303)
    if not took:
        if not REFUSAL.search(response.get_data(as_text=True)):
            failures.append(f"{where}: refused ({response.status_code}) without a message")
        if model and _state(app, model, record_id) != before:
            failures.append(f"{where}: refused, yet something was saved")
    elif must_refuse(field, value):
        failures.append(f"{where}: taken, though it must be refused")
    return took


def _fill(values, fields, n, ids):
    """A valid form from what the page shows: empty required fields filled by kind."""
    today = clock.today()
    filled = dict(values)
    for name, field in fields.items():
        if filled.get(name) not in ("", [], None) or not (field.required or name in ids):
            continue
        if name in ids:
            filled[name] = str(ids[name])
        elif field.kind == "select":
            filled[name] = next(o for o in field.options if o)
        elif field.kind == "date":
            filled[name] = today.isoformat()
        elif field.kind == "datetime":
            filled[name] = f"{today - dt.timedelta(days=1)} 10:00:00"
        elif field.kind == "number":
            filled[name] = "1"
        else:
            filled[name] = f"h{n}@example.org" if "email" in name else f"H{n}"
    return filled


@pytest.fixture
def records(app, world):
    """A record of each screen to edit, and the ids a form needs filled in."""
    with app.app_context():
        a = db.session.get(Unit, world.unit_a)
        made = {
            "solicitations": Solicitation(topic="约稿", due_on=clock.today(), units=[a]),
            "deductions": Deduction(unit=a, kind="other", reason="扣分", occurred_on=clock.today()),
            "quotas": Quota(unit=a, year=2026, items=1, points=1),
            "calendar_days": CalendarDay(day=dt.date(2026, 10, 8), kind="holiday", name="国庆"),
        }
        # The migrations seed the scoring table (the first test finds it so): one is kept.
        made["score_rules"] = ScoreRule.query.first() or ScoreRule(
            kind="bonus", key="city", value=30
        )
        db.session.add_all(made.values())
        db.session.commit()
        rule_id = db.session.query(sa.func.min(DeadlineRule.id)).scalar()
        training_id = factories.training(db.session.get(Staff, world.staff_a)).id
        made["pay_rates"] = PayRate(
            kind="adoption", level="city", amount=50, valid_from=dt.date(2026, 1, 1)
        )
        made["commendations"] = Commendation(
            year=2025, title="优秀信息员", unit=a, document_no="委办〔2026〕1号",
            awarded_on=dt.date(2026, 1, 10),
        )  # fmt: skip
        db.session.add_all([made["pay_rates"], made["commendations"]])
        key_work = _key_work(a)
        db.session.commit()
        edit = {screen: row.id for screen, row in made.items()}
        edit.update({screen: row.id for screen, row in key_work.items()})
    return {
        "edit": {
            **edit,
            "reports": world.report_a,
            "units": world.unit_a,
            "staff": world.staff_a,
            "trainings": training_id,
            "directives": world.directive_a,
            "publications": world.publication,
            "deadline_rules": rule_id,
            "accounts": world.account_ids["leader"],
        },
        # Fields the rules want filled though the form does not mark them required.
        "fill": {
            "area": edit["key_work_areas"],
            "lead_units": world.unit_a,
            "unit": world.unit_a,
            "staff": world.staff_a,
            "assignment": world.assignment_a,
            "units": world.unit_a,
            "assignments-0-unit": world.unit_a,
            "new_password": "long-enough-password",
            "amount": "12.50",
        },
    }


def _key_work(unit):
    """An area, an item led by `unit`, this year's mid-year round with its check, a
    special supervision project and a site visit: a record of each key work screen."""
    year = clock.today().year
    area = KeyWorkArea(year=year, seq=1, name="经济发展")
    item = KeyWorkItem(area=area, seq=1, title="招商引资", leader_name="李副县长")
    db.session.add(item)
    item.write_carrier()
    item.hand_to({unit: "lead"}, None)
    check_round = CheckRound(year=year, half="h1", checked_on=dt.date(year, 7, 5))
    db.session.add(check_round)
    (check,) = check_round.open()
    project = SupervisionProject(title="安全生产专项督查", started_on=clock.today(), units=[unit])
    visit = SiteVisit(unit=unit, visited_on=clock.today(), place="甲镇", members="张三")
    db.session.add_all([project, visit])
    db.session.flush()
    return {
        "key_work_areas": area,
        "key_work_items": item,
        "key_work_rounds": check_round,
        "key_work_checks": check,
        "supervision_projects": project,
        "site_visits": visit,
    }


def _model_forms(app, records):
    """(screen, url, model, record id, roles) of every create and edit form."""
    views = _views(app)
    for screen, roles in CREATE.items():
        if not roles:
            continue
        model = views[screen].model
        yield screen, f"/admin/{screen}/new/", model, None, roles
        record_id = records["edit"].get(screen)
        if record_id is not None:
            yield screen, f"/admin/{screen}/edit/?id={record_id}", model, record_id, roles


def _probes(key, fields, role, roles):
    """(name, field, value) this role sends to a form: its turn of fields x values."""
    pairs = [
        (name, field, form_value(field, value))
        for name, field in fields.items()
        # Files have their own test; a row's delete tick is read as there or not.
        if field.kind != "file" and not name.startswith("del-")
        for value in FORM_VALUES.values()
    ]
    shared = sorted(roles, key=ROLES.index)
    return turn(key, pairs, shared.index(role), len(shared))


@pytest.mark.parametrize("role", ["admin", "staff", "unit"])
def test_every_model_form_takes_hostile_fields(app, as_role, world, records, failures, role):
    client, n = as_role(role), 0
    for screen, url, model, record_id, roles in _model_forms(app, records):
        if role not in roles:
            continue
        page = client.get(url)
        assert page.status_code == 200, (role, url, page.status_code)
        values, fields = read_form(page.get_data(as_text=True), new_inline_rows=not record_id)
        for probe in _probes(url, fields, role, roles):
            n += 1
            data = {**_fill(values, fields, n, records["fill"]), probe[0]: probe[2]}
            if not check_post(client, failures, app, url, data, probe, model, record_id):
                continue
            if record_id is None:  # a new record: the list shows it
                _fetch(client, failures, "GET", f"/admin/{screen}/")
                continue
            _fetch(client, failures, "GET", url.replace("/edit/", "/details/"))
            page = _fetch(client, failures, "GET", url)  # the form as it is now
            values, fields = read_form(page.get_data(as_text=True))
    assert n > 50
    _report(failures)


# ---- an assignment's steps ----

STEP_STATES = {
    "acknowledge": "new",
    "object": "new",
    "decide_objection": "objected",
    "request_extension": "in_progress",
    "grant_extension": "extension asked",
    "refuse_extension": "extension asked",
    "accept": "submitted",
    "return_result": "submitted",
    "change_due_date": "new",
    "cancel": "new",
}
UNIT_STEPS = {"acknowledge", "object", "request_extension"}


def _assignment_in(app, world, state):
    """A new assignment of unit A, due in 20 days, in `state`, brought there by its own
    steps ("new": assigned today, so that it may still be objected to)."""
    with app.app_context():
        unit = db.session.get(Unit, world.unit_a)
        officer = db.session.get(Account, world.account_ids["unit"])
        due_on = clock.today() + dt.timedelta(days=20)
        if state in ("new", "objected"):
            directive = factories.directive(unit, received_on=clock.today(), due_on=due_on)
            assignment = directive.assignments[0]
        else:
            status = "in_progress" if state == "extension asked" else state
            assignment = factories.assignment_due(unit, due_on, status)
        if state == "objected":
            assignment.raise_objection(officer, "deadline", "时限太紧")
        elif state == "extension asked":
            assignment.request_extension(officer, due_on + dt.timedelta(days=10), "需协调")
        db.session.commit()
        return assignment.id, assignment.due_on


def _step_fields(step, due_on):
    """(valid data, fields) of a step's form."""
    data, fields = {}, {}
    for field in FORMS[step]():
        if field.type == "SelectField":
            options = [str(value) for value, _label in field.choices]
            data[field.name], fields[field.name] = options[0], Field("select", {})
            fields[field.name].options = options
        elif field.type == "DateField":
            data[field.name] = (due_on + dt.timedelta(days=7)).isoformat()
            fields[field.name] = Field("date", {})
        else:
            data[field.name], fields[field.name] = "理由充分", Field("text", {})
    return data, fields


@pytest.mark.parametrize("role", ["admin", "staff", "unit"])
def test_every_step_form_takes_hostile_fields(app, as_role, world, failures, role):
    client, sent = as_role(role), 0
    for step, state in STEP_STATES.items():
        roles = ("unit",) if step in UNIT_STEPS else ("admin", "staff")
        if role not in roles:
            continue
        _data, fields = _step_fields(step, clock.today())
        for probe in _probes(step, fields, role, roles):
            assignment_id, due_on = _assignment_in(app, world, state)
            data = {**_step_fields(step, due_on)[0], probe[0]: probe[2]}
            url = f"/admin/assignments/act/{step}/?id={assignment_id}"
            if check_post(client, failures, app, url, data, probe, Assignment, assignment_id):
                _fetch(client, failures, "GET", f"/admin/assignments/details/?id={assignment_id}")
            sent += 1
    assert sent > 20
    _report(failures)


# ---- the forms of our own pages ----

TEXT = Field("text", {})
FILE_NAMES = [value + ".pdf" for value in FORM_VALUES.values()]


@pytest.mark.parametrize("role", ["admin", "staff", "unit"])
def test_files_with_hostile_names(app, as_role, world, failures, role):
    """Feedback's attachments and the import's upload: the file's name is input too."""
    client = as_role(role)
    forms = [
        (
            "/admin/feedback/new/",
            "files",
            {"assignment": world.assignment_a, "kind": "progress", "text": "进展"},
        )
    ]
    if role != "unit":
        forms.append(("/admin/import/", "file", {"kind": "units"}))
    for url, name, data in forms:
        for file_name in turn(url, FILE_NAMES, ("admin", "staff", "unit").index(role), 3):
            upload = (io.BytesIO(b"%PDF-1.4\n%\xe2\xe3\n"), file_name)
            probe = (name, Field("file", {}), file_name[:-4])
            check_post(
                client,
                failures,
                app,
                url,
                {**data, name: upload},
                probe,
                AuditEntry,
                content_type="multipart/form-data",
            )
    _report(failures)


def test_the_batch_adoption_form(app, as_role, world, failures):
    client = as_role("staff")
    url = f"/admin/reports/adopt/?ids={world.report_a}"
    values, fields = read_form(client.get(url).get_data(as_text=True))
    valid = {**values, "issue_no": "3", "adopted_on": clock.today().isoformat()}
    for name, field in fields.items():
        if name == "ids":
            continue
        for value in FORM_VALUES.values():
            check_post(
                client, failures, app, url, {**valid, name: value}, (name, field, value), AuditEntry
            )
    _report(failures)


def test_the_quick_answer_form(app, as_role, world, failures):
    """A report's quick answers (its page, its list row): each value in each field, to a
    report still waiting for its answer."""
    client = as_role("staff")
    page = client.get(f"/admin/reports/details/?id={world.report_a}").get_data(as_text=True)
    _values, fields = read_form(page)
    assert {"status", "comment"} <= set(fields)
    for name in ("status", "comment"):
        for value in FORM_VALUES.values():
            with app.app_context():
                report_id = factories.report(db.session.get(Unit, world.unit_a)).id
                db.session.commit()
            url = f"/admin/reports/answer/?id={report_id}"
            data = {"status": "returned", "comment": "请补充数据", name: value}
            if check_post(
                client, failures, app, url, data, (name, fields[name], value), Report, report_id
            ):
                _fetch(client, failures, "GET", f"/admin/reports/details/?id={report_id}")
    _report(failures)


@pytest.mark.parametrize("role", ROLES)
def test_login_and_password_forms(app, as_role, world, failures, role):
    """Each role changes its own password with bad values; the log-in form is sent its
    share of them (after five failures it says the name is locked: a message too)."""
    client = as_role(role)
    account_id = world.account_ids[role]
    good = {"current": factories.PASSWORD, "new": "brand-new-pass", "again": "brand-new-pass"}
    fields = {name: Field("text", {"maxlength": "200"}) for name in good}
    for probe in _probes("password", fields, role, ROLES):
        data = {**good, probe[0]: probe[2]}
        if check_post(client, failures, app, "/account/password", data, probe, Account, account_id):
            client = login(app.test_client(), world.usernames[role], data["new"])
            good["current"] = data["new"]
            good["new"] = good["again"] = good["current"] + "x"
    anonymous = app.test_client()
    fields = {
        "username": Field("text", {"maxlength": "50"}),
        "password": Field("text", {"maxlength": "200"}),
    }
    for probe in _probes("login", fields, role, ROLES):
        data = {"username": world.usernames[role], "password": "wrong-password", probe[0]: probe[2]}
        check_post(anonymous, failures, app, "/login", data, probe, Account)
    _report(failures)
