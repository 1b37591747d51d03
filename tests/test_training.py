"""Training records (跟班培训, 顶岗培训, 以会代训) and the information officers a unit must
have (at least 1 per department, 2 per township): the rules at their boundaries, who may
see and keep the records, and the unit list's warning computed in SQL."""

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

import config
from models import AuditEntry, Staff, Training, Unit, db
from models.training import lacks_officers, officer_count, officers_short, training_problems
from tests import factories
from tests.helpers import count_statements
from views.training import UnitOfPersonFilter
from views.units import OfficersShortFilter

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


def _fields(problems):
    return [name for name, _message in problems]


# ---- the training rules ----


@pytest.mark.parametrize(
    "start, end, hours, refused",
    [
        (DAY, DAY, 1, []),  # one day, the fewest hours
        (DAY, DAY, 24, []),  # one day, the most
        (DAY, DAY, 25, ["hours"]),
        (DAY, DAY, 0, ["hours"]),
        (DAY, DAY - dt.timedelta(days=1), 8, ["ended_on"]),  # ends the day before it starts
        (DAY, DAY + dt.timedelta(days=1), 48, []),  # two days
        (DAY, DAY + dt.timedelta(days=1), 49, ["hours"]),
        (DAY, DAY + dt.timedelta(days=200), 2000, []),  # the most hours at all
        (DAY, DAY + dt.timedelta(days=200), 2001, ["hours"]),
        (dt.date(2000, 1, 1), dt.date(2000, 1, 1), 8, []),  # the office's first day
        (dt.date(1999, 12, 31), dt.date(2000, 1, 1), 8, ["started_on"]),
        (dt.date(2099, 12, 31), dt.date(2099, 12, 31), 8, []),  # its last
        (dt.date(2099, 12, 31), dt.date(2100, 1, 1), 8, ["ended_on"]),
    ],
)
def test_training_dates_and_hours_at_their_bounds(start, end, hours, refused):
    assert _fields(training_problems(start, end, hours)) == refused


def test_the_database_refuses_an_end_before_the_start_and_hours_out_of_range(ctx):
    person = factories.staff(factories.unit())
    factories.training(person, started_on=DAY, ended_on=DAY)  # the same day: kept
    for values in (
        {"ended_on": DAY - dt.timedelta(days=1)},
        {"hours": 0},
        {"hours": 2001},
        {"kind": "holiday"},
    ):
        with pytest.raises(IntegrityError), db.session.begin_nested():
            factories.training(person, **values)


def test_a_persons_records_go_with_them(ctx):
    person = factories.staff(factories.unit())
    factories.training(person)
    factories.training(person, kind="by_meeting", started_on=DAY - dt.timedelta(days=30))
    db.session.expire_all()
    person = db.session.get(Staff, person.id)
    assert [t.kind for t in person.trainings] == ["by_meeting", "alongside"]  # by start
    db.session.delete(person)
    db.session.flush()
    assert Training.query.count() == 0


def test_a_unit_officer_sees_their_own_peoples_records_only(ctx):
    a, b = factories.unit(), factories.unit()
    mine = factories.training(factories.staff(a))
    factories.training(factories.staff(b))
    officer = factories.account("unit", a)
    office = factories.account("staff")
    assert Training.query.filter(Training.visible_to(officer)).all() == [mine]
    assert Training.query.filter(Training.visible_to(office)).count() == 2


# ---- the information officers a unit must have ----


def _officers(unit, n, **kw):
    for _ in range(n):
        factories.staff(unit, **kw)


def _short(unit):
    query = sa.select(officers_short()).select_from(Unit).where(Unit.id == unit.id)
    return db.session.scalar(query)


@pytest.mark.parametrize(
    "kind, officers, short",
    [
        ("township", 0, 2),
        ("township", 1, 1),
        ("township", 2, 0),
        ("township", 3, 0),
        ("county_dept", 0, 1),
        ("county_dept", 1, 0),
        ("county_dept", 2, 0),
        ("city_dept", 0, 1),
        ("city_dept", 1, 0),
        ("county", 0, 0),
    ],
)
def test_the_officer_minimum_per_kind_at_0_1_2(ctx, kind, officers, short):
    unit = factories.unit(kind=kind)
    _officers(unit, officers)
    assert _short(unit) == short
    assert lacks_officers(kind, officers) is (short > 0)  # the same rule in Python


def test_only_active_information_officers_count(ctx):
    unit = factories.unit(kind="township")
    _officers(unit, 1)
    _officers(unit, 1, active=False)
    _officers(unit, 2, duty="leader_in_charge")
    count = sa.select(officer_count()).select_from(Unit).where(Unit.id == unit.id)
    assert db.session.scalar(count) == 1
    assert _short(unit) == 1


@pytest.mark.parametrize("app_config", [{"INFO_OFFICER_MINIMUM": {"township": 3}}])
def test_the_minimum_is_a_setting(ctx):
    unit = factories.unit(kind="township")
    _officers(unit, 2)
    assert _short(unit) == 1
    assert lacks_officers("township", 2)
    assert not lacks_officers("county_dept", 1)  # the rule's figure where the setting is silent


def test_the_setting_is_read_and_range_checked(monkeypatch):
    monkeypatch.setenv("INFO_OFFICER_MINIMUM", "township=3, county=1")
    assert config._counts("INFO_OFFICER_MINIMUM") == {"township": 3, "county": 1}
    for bad in ("township=21", "township=-1", "township", "=2", "township=two"):
        monkeypatch.setenv("INFO_OFFICER_MINIMUM", bad)
        with pytest.raises(ValueError):
            config._counts("INFO_OFFICER_MINIMUM")


# ---- the screens ----


def _form(person_id, **kw):
    return {
        "staff": str(person_id),
        "kind": "on_post",
        "started_on": "2026-04-01",
        "ended_on": "2026-04-30",
        "hours": "160",
        "place": "市委办信息处",
        "note": "顶岗一个月",
        **kw,
    }


@pytest.mark.parametrize("role", ["admin", "staff"])
def test_the_office_records_a_training_and_the_trail_keeps_it(app, as_role, world, role):
    client = as_role(role)
    response = client.post("/admin/trainings/new/", data=_form(world.staff_b))
    assert response.status_code == 302
    with app.app_context():
        training = Training.query.one()
        assert (training.staff_id, training.hours) == (world.staff_b, 160)
        entry = AuditEntry.query.filter_by(table_name="trainings", action="create").one()
        assert entry.record_id == training.id
        assert entry.actor == world.usernames[role]


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("ended_on", "2026-03-31", "结束日期不能早于开始日期"),
        ("hours", "0", "学时"),
        ("hours", "721", "学时"),  # 30 days × 24 is the most
        ("started_on", "1999-12-31", None),
        ("kind", "holiday", None),
        ("hours", "9" * 30, None),
    ],
)
def test_a_bad_training_gets_a_form_message_and_saves_nothing(
    app, as_role, world, field, value, message
):
    response = as_role("staff").post(
        "/admin/trainings/new/", data=_form(world.staff_a, **{field: value})
    )
    assert response.status_code == 200
    if message:
        assert message in response.get_data(as_text=True)
    with app.app_context():
        assert Training.query.count() == 0


@pytest.fixture
def two_records(app, world):
    with app.app_context():
        a = factories.training(db.session.get(Staff, world.staff_a), place="甲镇会议室")
        b = factories.training(db.session.get(Staff, world.staff_b), place="乙镇会议室")
        db.session.commit()
        return a.id, b.id


@pytest.mark.parametrize("role", ["admin", "staff", "leader"])
def test_the_office_and_leaders_see_every_record(as_role, two_records, role):
    page = _table(as_role(role).get("/admin/trainings/"))
    assert "甲镇会议室" in page and "乙镇会议室" in page


def test_a_unit_reads_its_own_peoples_records_and_changes_none(app, as_role, world, two_records):
    mine, theirs = two_records
    client = as_role("unit")
    page = _table(client.get("/admin/trainings/"))
    assert "甲镇会议室" in page and "乙镇会议室" not in page
    assert client.get(f"/admin/trainings/details/?id={mine}").status_code == 200
    assert client.get(f"/admin/trainings/details/?id={theirs}").status_code == 404
    export = client.get("/admin/trainings/export/csv/").get_data(as_text=True)
    assert "甲镇会议室" in export and "乙镇会议室" not in export
    header, line = export.lstrip("\ufeff").splitlines()[:2]
    assert "单位" in header and "甲镇" in line  # whose people were trained
    # Read-only: no form, no edit, no delete, whatever is posted.
    assert client.get("/admin/trainings/new/").status_code == 302
    client.post("/admin/trainings/new/", data=_form(world.staff_a))
    client.post(f"/admin/trainings/edit/?id={mine}", data=_form(world.staff_a, hours="1"))
    client.post("/admin/trainings/delete/", data={"id": mine})
    with app.app_context():
        assert Training.query.count() == 2
        assert db.session.get(Training, mine).hours == 40


def test_leaders_change_no_training(app, as_role, world, two_records):
    mine, _theirs = two_records
    client = as_role("leader")
    client.post("/admin/trainings/new/", data=_form(world.staff_a))
    client.post("/admin/trainings/delete/", data={"id": mine})
    with app.app_context():
        assert Training.query.count() == 2


def test_the_person_and_the_unit_pages_show_the_records(as_role, world, two_records):
    for role in ("staff", "unit"):
        client = as_role(role)
        person = client.get(f"/admin/staff/details/?id={world.staff_a}").get_data(as_text=True)
        assert "培训记录" in person and "跟班培训" in person and "甲镇会议室" in person
        unit = client.get(f"/admin/units/details/?id={world.unit_a}").get_data(as_text=True)
        assert "甲镇会议室" in unit and "乙镇会议室" not in unit
    other = as_role("staff").get(f"/admin/staff/details/?id={world.staff_b}")
    assert "乙镇会议室" in other.get_data(as_text=True)
    with client.application.app_context():
        person = factories.staff(db.session.get(Unit, world.unit_a), name="新来的信息员")
        db.session.commit()
        person_id = person.id
    new = as_role("staff").get(f"/admin/staff/details/?id={person_id}")
    assert "暂无培训记录" in new.get_data(as_text=True)


def test_the_training_list_filters_by_the_persons_unit(as_role, world, two_records):
    client = as_role("staff")
    view = client.application.extensions["admin"][0]._views
    trainings = next(v for v in view if v.endpoint == "trainings")
    arg = next(
        i for i, (_n, f) in trainings._filter_args.items() if isinstance(f, UnitOfPersonFilter)
    )
    page = _table(client.get(f"/admin/trainings/?flt0_{arg}={world.unit_b}"))
    assert "乙镇会议室" in page and "甲镇会议室" not in page


# ---- the unit list's warning ----


def _table(response):
    """The list's rows, without the filters' dropdowns."""
    page = response.get_data(as_text=True)
    return page.split("model-list", 1)[1].split("</table>", 1)[0]


def _unit_list_filter(client, value):
    views = client.application.extensions["admin"][0]._views
    units = next(v for v in views if v.endpoint == "units")
    arg = next(i for i, (_n, f) in units._filter_args.items() if isinstance(f, OfficersShortFilter))
    return f"/admin/units/?flt0_{arg}={value}"


def test_the_unit_list_flags_and_filters_units_short_of_officers(app, as_role, world):
    with app.app_context():
        # 甲镇 (a township) has 1 officer: 1 short of 2. A department with 1 has enough.
        dept = factories.unit(name="县发改局", kind="county_dept", ranking_group="department")
        factories.staff(dept)
        db.session.commit()
    client = as_role("staff")
    page = client.get("/admin/units/").get_data(as_text=True)
    assert "应配 2 名，缺 1 名" in page
    short = _table(client.get(_unit_list_filter(client, "short")))
    assert "甲镇" in short and "县发改局" not in short
    enough = _table(client.get(_unit_list_filter(client, "enough")))
    assert "县发改局" in enough and "甲镇" not in enough
    export = client.get("/admin/units/export/csv/").get_data(as_text=True)
    assert "1 (应配 2 名，缺 1 名)" in export
    # A unit officer sees their own unit's flag.
    own = _table(as_role("unit").get("/admin/units/"))
    assert "应配 2 名，缺 1 名" in own and "乙镇" not in own


def _statements(app, client, url):
    url += f"{'&' if '?' in url else '?'}page_size=100"
    client.get(url)  # warm up
    with count_statements(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_the_unit_list_costs_the_same_whatever_the_units(app, as_role, world):
    client = as_role("staff")
    urls = ["/admin/units/", _unit_list_filter(client, "short"), "/admin/trainings/"]
    few = [_statements(app, client, url) for url in urls]
    with app.app_context():
        for i in range(30):
            unit = factories.unit(kind="county_dept" if i % 2 else "township")
            for _ in range(i % 3):
                factories.training(factories.staff(unit))
        db.session.commit()
    many = [_statements(app, client, url) for url in urls]
    assert many == few


# ---- the import ----


def _import(rows, account, commit=True):
    from models.imports import check_rows, template_header
    from tests.import_files import xlsx_bytes

    header = template_header("trainings")
    rows = [list(row) + [""] * (len(header) - len(row)) for row in rows]
    outcomes = check_rows("trainings", xlsx_bytes(header, rows), account, commit=commit)
    if commit:
        db.session.commit()
    else:
        db.session.rollback()
    return outcomes


def test_training_records_import_from_a_spreadsheet_and_again_change_nothing(ctx):
    office = factories.account("staff")
    person = factories.staff(factories.unit(), email="Li@example.org")
    rows = [
        ["li@example.org", "跟班培训", "2026-03-02", "2026-03-06", "40", "县委办信息科"],
        ["li@example.org", "以会代训", "2026年4月1日", "2026年4月1日", "4", "全县信息工作会议"],
    ]
    outcomes = _import(rows, office)
    assert [o.action for o in outcomes] == ["create", "create"]
    assert [(t.kind, t.hours) for t in person.trainings] == [("alongside", 40), ("by_meeting", 4)]
    assert [o.action for o in _import(rows, office)] == ["unchanged", "unchanged"]
    rows[0][4] = "32"
    assert [o.action for o in _import(rows, office)] == ["update", "unchanged"]
    assert Training.query.count() == 2
    assert AuditEntry.query.filter_by(table_name="trainings").count() == 3


@pytest.mark.parametrize(
    "row, reason",
    [
        (["nobody@example.org", "跟班培训", "2026-03-02", "2026-03-06", "40"], "没有邮箱"),
        (["li@example.org", "跟班培训", "2026-03-06", "2026-03-05", "8"], "结束日期不能早于"),
        (["li@example.org", "跟班培训", "2026-03-02", "2026-03-02", "25"], "学时"),
        (["li@example.org", "顶岗培训", "2026-03-02", "2026-03-02", "0"], "学时"),
        (["li@example.org", "出国考察", "2026-03-02", "2026-03-02", "8"], "培训方式"),
        (["li@example.org", "跟班培训", "1999-12-31", "2000-01-01", "8"], "开始日期"),
    ],
)
def test_a_bad_training_row_is_refused_with_its_reason_and_nothing_is_saved(ctx, row, reason):
    office = factories.account("staff")
    factories.staff(factories.unit(), email="li@example.org")
    db.session.commit()
    (outcome,) = _import([row], office)
    assert outcome.action == "refused" and reason in outcome.detail
    assert Training.query.count() == 0


def test_two_people_of_one_name_are_told_apart_by_their_unit(app, as_role, world):
    with app.app_context():
        town, dept = factories.unit(name="城关镇"), factories.unit(name="县财政局")
        first, _second = factories.staff(town, name="汪洋"), factories.staff(dept, name="汪洋")
        factories.training(first, place="会议室一")
        db.session.commit()
    client = as_role("staff")
    found = client.get("/admin/trainings/ajax/lookup/?name=staff&query=汪洋").get_json()
    assert sorted(label for _id, label in found) == ["汪洋（县财政局）", "汪洋（城关镇）"]
    form = client.get("/admin/trainings/new/").get_data(as_text=True)
    # Flask-Admin's "Please select model" is said as a person would: 请选择.
    assert 'data-placeholder="请选择"' in form and "请选择模型" not in form
    page = client.get("/admin/trainings/").get_data(as_text=True)
    assert "单位</a>" in page or "单位</th>" in page  # the list's unit column
    row = _table(client.get("/admin/trainings/")).split("会议室一")[0].rsplit("<tr", 1)[1]
    assert "城关镇" in row
    edit = client.get(f"/admin/trainings/edit/?id={_training_at(app, '会议室一')}")
    assert "汪洋（城关镇）" in edit.get_data(as_text=True)


def _training_at(app, place):
    with app.app_context():
        return db.session.scalar(sa.select(Training.id).where(Training.place == place))
