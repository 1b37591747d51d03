"""The key work and site visit screens, as each role: the office keeps them, leaders read
them, a unit sees its own parts only (another unit's item, check or visit answers 404,
is not listed and is not exported)."""

import datetime as dt
import io

import openpyxl
import pytest

from models import (
    Assignment,
    AuditEntry,
    CheckRound,
    Directive,
    KeyWorkArea,
    KeyWorkCheck,
    KeyWorkItem,
    SiteVisit,
    SupervisionProject,
    Unit,
    clock,
    db,
)
from tests.test_keywork import key_work

TODAY = clock.today()
YEAR = TODAY.year


@pytest.fixture
def keywork(app, world):
    """An item led by 甲镇 (乙镇 supporting), one led by 乙镇 alone, the mid-year round
    opened, and a site visit to each town."""
    with app.app_context():
        a, b = db.session.get(Unit, world.unit_a), db.session.get(Unit, world.unit_b)
        shared = key_work(a, support=[b], seq=1)
        shared.title = "甲镇牵头的重点项目"
        shared.write_carrier()
        only_b = key_work(b, seq=2)
        only_b.title = "乙镇独有的重点项目"
        only_b.write_carrier()
        check_round = CheckRound(year=YEAR, half="h1", checked_on=dt.date(YEAR, 7, 5))
        db.session.add(check_round)
        check_round.open()
        visits = {}
        for unit in (a, b):
            visit = SiteVisit(
                unit=unit,
                visited_on=TODAY,
                place=f"{unit.name}政府",
                members="督查室张三",
                findings=f"{unit.name}项目停滞",
                rectification="恢复施工",
                rectify_by=TODAY + dt.timedelta(days=20),
            )
            visit.require_rectification(None)
            visits[unit.id] = visit
        db.session.commit()
        checks = {(c.item_id, c.unit_id): c.id for c in KeyWorkCheck.query.all()}
        return {
            "shared": shared.id,
            "only_b": only_b.id,
            "round": check_round.id,
            "area": shared.area_id,
            "check_a": checks[(shared.id, a.id)],
            "check_b": checks[(only_b.id, b.id)],
            "visit_a": visits[a.id].id,
            "visit_b": visits[b.id].id,
            "carrier_b": only_b.directive_id,
        }


def test_the_office_adds_an_item_and_its_units_get_assignments(app, as_role, world, keywork):
    response = as_role("staff").post(
        "/admin/key_work_items/new/",
        data={
            "area": str(keywork["area"]),
            "seq": "3",
            "title": "优化营商环境",
            "leader_name": "王副县长",
            "targets": "年底前完成改革任务",
            "lead_units": [str(world.unit_a)],
            "support_units": [str(world.unit_b)],
        },
    )
    assert response.status_code == 302
    with app.app_context():
        item = KeyWorkItem.query.filter_by(title="优化营商环境").one()
        parts = {(a.unit_id, a.part, a.due_on) for a in item.assignments}
        end = dt.date(YEAR, 12, 31)
        assert parts == {(world.unit_a, "lead", end), (world.unit_b, "support", end)}
        entry = AuditEntry.query.filter_by(
            table_name="key_work_items", action="create", record_id=item.id
        ).one()
        assert entry.record.endswith("优化营商环境")


@pytest.mark.parametrize(
    "changes, field_text",
    [
        ({"lead_units": []}, "牵头单位"),
        ({"support_units": ["A"]}, None),
        ({"seq": "0"}, None),
        ({"due_on": "2001-01-01"}, None),
    ],
)
def test_a_bad_item_gets_a_message_and_saves_nothing(
    app, as_role, world, keywork, changes, field_text
):
    data = {
        "area": str(keywork["area"]),
        "seq": "4",
        "title": "坏项目",
        "leader_name": "王副县长",
        "lead_units": [str(world.unit_a)],
        **changes,
    }
    if changes.get("support_units") == ["A"]:
        data["support_units"] = [str(world.unit_a)]  # both to lead and to support
    response = as_role("staff").post("/admin/key_work_items/new/", data=data)
    assert response.status_code == 200
    with app.app_context():
        assert KeyWorkItem.query.filter_by(title="坏项目").count() == 0


def test_a_unit_sees_its_own_items_only(app, as_role, world, keywork):
    officer = as_role("unit")  # 甲镇
    listing = officer.get("/admin/key_work_items/").get_data(as_text=True)
    assert "甲镇牵头的重点项目" in listing and "乙镇独有的重点项目" not in listing
    assert officer.get(f"/admin/key_work_items/details/?id={keywork['only_b']}").status_code == 404
    page = officer.get(f"/admin/key_work_items/details/?id={keywork['shared']}").get_data(
        as_text=True
    )
    assert "甲镇" in page and "乙镇" not in page.split("ducha-key-work-parts")[1]
    export = officer.get("/admin/key_work_items/export/csv/").get_data(as_text=True)
    assert "甲镇牵头的重点项目" in export and "乙镇独有的重点项目" not in export
    assert officer.get("/admin/key_work_items/new/").status_code in (302, 403)
    with app.app_context():
        assert KeyWorkItem.query.count() == 2


def test_a_leader_reads_every_item_and_changes_none(app, as_role, keywork):
    leader = as_role("leader")
    listing = leader.get("/admin/key_work_items/").get_data(as_text=True)
    assert "甲镇牵头的重点项目" in listing and "乙镇独有的重点项目" in listing
    response = leader.post(
        f"/admin/key_work_items/edit/?id={keywork['shared']}", data={"title": "改了"}
    )
    assert response.status_code in (302, 403)
    with app.app_context():
        assert db.session.get(KeyWorkItem, keywork["shared"]).title == "甲镇牵头的重点项目"


def test_key_work_stays_off_the_directive_screen(app, as_role, keywork):
    staff = as_role("staff")
    assert "重点项目" not in staff.get("/admin/directives/").get_data(as_text=True)
    assert staff.get(f"/admin/directives/details/?id={keywork['carrier_b']}").status_code == 404
    # …and its parts are on the assignments' list, filtered by origin.
    listing = staff.get("/admin/assignments/?flt0_origin_equals=key_work").get_data(as_text=True)
    assert "重要工作" in listing


def test_a_unit_reports_progress_on_its_parts_own_page(app, as_role, world, keywork):
    with app.app_context():
        part = Assignment.query.filter(
            Assignment.unit_id == world.unit_a,
            Assignment.directive.has(Directive.origin == "key_work"),
        ).one()
        part_id = part.id
    officer = as_role("unit")
    page = officer.get(f"/admin/assignments/details/?id={part_id}").get_data(as_text=True)
    assert f"/admin/key_work_items/details/?id={keywork['shared']}" in page


# ---- the checks ----


def test_the_unit_assesses_its_own_check_and_not_anothers(app, as_role, world, keywork):
    officer = as_role("unit")
    data = {"progress": "on_schedule", "self_assessment": "已完成年度目标的60%"}
    response = officer.post(f"/admin/key_work_checks/edit/?id={keywork['check_a']}", data=data)
    assert response.status_code == 302
    for url in (
        f"/admin/key_work_checks/edit/?id={keywork['check_b']}",
        f"/admin/key_work_checks/details/?id={keywork['check_b']}",
    ):
        assert officer.get(url).status_code == 404
    assert (
        officer.post(f"/admin/key_work_checks/edit/?id={keywork['check_b']}", data=data).status_code
        == 404
    )
    # A verdict posted by the unit is not taken: the field is the office's.
    officer.post(
        f"/admin/key_work_checks/edit/?id={keywork['check_a']}",
        data={**data, "verdict": "good"},
    )
    with app.app_context():
        mine = db.session.get(KeyWorkCheck, keywork["check_a"])
        assert (mine.progress, mine.verdict) == ("on_schedule", None)
        assert mine.assessed_at is not None
        assert db.session.get(KeyWorkCheck, keywork["check_b"]).self_assessment == ""
        assert AuditEntry.query.filter_by(table_name="key_work_checks", action="update").count()
    listing = officer.get("/admin/key_work_checks/").get_data(as_text=True)
    assert "乙镇" not in listing


def test_the_office_judges_and_the_unit_can_no_longer_change_it(app, as_role, keywork):
    url = f"/admin/key_work_checks/edit/?id={keywork['check_a']}"
    response = as_role("staff").post(
        url,
        data={
            "progress": "behind",
            "self_assessment": "进度滞后",
            "verdict": "average",
            "office_comment": "需加快",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        check = db.session.get(KeyWorkCheck, keywork["check_a"])
        assert (check.verdict, check.office_comment) == ("average", "需加快")
    officer = as_role("unit")
    assert officer.get(url).status_code == 403
    officer.post(url, data={"progress": "done", "self_assessment": "改了"})
    with app.app_context():
        assert db.session.get(KeyWorkCheck, keywork["check_a"]).progress == "behind"


@pytest.mark.parametrize("day", ["2026-06-30", "2026-07-11"])
def test_a_round_dated_outside_early_july_is_refused(app, as_role, day):
    response = as_role("staff").post(
        "/admin/key_work_rounds/new/", data={"year": "2026", "half": "h1", "checked_on": day}
    )
    assert response.status_code == 200
    assert "2026-07-01" in response.get_data(as_text=True)
    with app.app_context():
        assert CheckRound.query.count() == 0


def test_a_round_at_the_year_end_opens_its_checks(app, as_role, keywork):
    response = as_role("staff").post(
        "/admin/key_work_rounds/new/",
        data={"year": str(YEAR), "half": "h2", "checked_on": f"{YEAR}-12-21"},
    )
    assert response.status_code == 302
    with app.app_context():
        year_end = CheckRound.query.filter_by(half="h2").one()
        assert len(year_end.checks) == 3


def test_the_summary_prints_and_downloads_what_the_reader_may_see(app, as_role, keywork):
    url = f"/admin/key_work_rounds/summary/?id={keywork['round']}"
    office = as_role("staff").get(url).get_data(as_text=True)
    assert "甲镇牵头的重点项目" in office and "乙镇独有的重点项目" in office
    assert "第1方面" in office
    officer = as_role("unit")
    page = officer.get(url).get_data(as_text=True)
    assert "甲镇牵头的重点项目" in page and "乙镇独有的重点项目" not in page
    response = officer.get(f"/admin/key_work_rounds/summary.xlsx?id={keywork['round']}")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    cells = [str(c.value) for row in book.active.iter_rows() for c in row if c.value]
    assert any("甲镇牵头的重点项目" in c for c in cells)
    assert not any("乙镇" in c for c in cells)
    for bad in ("?id=0", "?id=99999999999", "?id=x", f"?id={keywork['round']}&area=-1"):
        assert officer.get("/admin/key_work_rounds/summary/" + bad).status_code in (200, 404)


def test_the_summary_for_one_area(app, as_role, keywork):
    with app.app_context():
        other = KeyWorkArea(year=YEAR, seq=9, name="第9方面")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    url = f"/admin/key_work_rounds/summary/?id={keywork['round']}&area={other_id}"
    page = as_role("leader").get(url).get_data(as_text=True)
    assert "重点项目" not in page


# ---- site visits ----


def test_a_unit_sees_its_own_site_visits_only(app, as_role, keywork):
    officer = as_role("unit")
    listing = officer.get("/admin/site_visits/").get_data(as_text=True)
    assert "甲镇政府" in listing and "乙镇政府" not in listing
    assert officer.get(f"/admin/site_visits/details/?id={keywork['visit_b']}").status_code == 404
    export = officer.get("/admin/site_visits/export/csv/").get_data(as_text=True)
    assert "甲镇政府" in export and "乙镇政府" not in export
    page = officer.get(f"/admin/site_visits/details/?id={keywork['visit_a']}").get_data(
        as_text=True
    )
    assert "/admin/assignments/details/" in page


def test_a_project_s_page_lists_the_visits_the_reader_may_see(app, as_role, world, keywork):
    with app.app_context():
        project = SupervisionProject(
            title="老旧小区专项督查",
            started_on=TODAY,
            units=[db.session.get(Unit, world.unit_a), db.session.get(Unit, world.unit_b)],
        )
        for visit in (keywork["visit_a"], keywork["visit_b"]):
            db.session.get(SiteVisit, visit).project = project
        db.session.add(project)
        db.session.commit()
        project_id = project.id
    url = f"/admin/supervision_projects/details/?id={project_id}"
    office = as_role("staff").get(url).get_data(as_text=True)
    assert "甲镇政府" in office and "乙镇政府" in office
    assert f"/admin/site_visits/details/?id={keywork['visit_b']}" in office
    unit = as_role("unit").get(url).get_data(as_text=True)
    assert "甲镇政府" in unit and "乙镇政府" not in unit  # another unit's visit stays hidden
    with app.app_context():
        db.session.add(SupervisionProject(title="尚未督办的专项", started_on=TODAY))
        db.session.commit()
        empty = SupervisionProject.query.filter_by(title="尚未督办的专项").one().id
    page = as_role("staff").get(f"/admin/supervision_projects/details/?id={empty}")
    assert "尚无实地督办记录" in page.get_data(as_text=True)


def test_the_office_records_a_visit_and_its_rectification_is_tracked(app, as_role, world):
    deadline = TODAY + dt.timedelta(days=30)
    response = as_role("staff").post(
        "/admin/site_visits/new/",
        data={
            "unit": str(world.unit_b),
            "visited_on": TODAY.isoformat(),
            "place": "乙镇工业园",
            "members": "督查室主任、科员",
            "findings": "道路工程停工",
            "rectification": "月底前复工",
            "rectify_by": deadline.isoformat(),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        visit = SiteVisit.query.filter_by(place="乙镇工业园").one()
        part = visit.rectification_assignment
        assert (part.unit_id, part.due_on, part.status) == (world.unit_b, deadline, "assigned")
        created = AuditEntry.query.filter_by(table_name="site_visits", action="create")
        assert created.filter_by(record_id=visit.id).count() == 1


def test_a_rectification_without_its_deadline_gets_a_message(app, as_role, world):
    response = as_role("staff").post(
        "/admin/site_visits/new/",
        data={
            "unit": str(world.unit_b),
            "visited_on": TODAY.isoformat(),
            "place": "乙镇工业园",
            "members": "督查室主任",
            "rectification": "月底前复工",
        },
    )
    assert response.status_code == 200
    with app.app_context():
        assert SiteVisit.query.count() == 0


def test_an_item_under_way_is_not_deleted_an_untouched_one_is(app, as_role, world, keywork):
    with app.app_context():
        shared = db.session.get(KeyWorkItem, keywork["shared"])
        shared.assignments[0].acknowledge(None)
        db.session.commit()
    staff = as_role("staff")
    staff.post("/admin/key_work_items/delete/", data={"id": keywork["shared"]})
    staff.post("/admin/key_work_items/delete/", data={"id": keywork["only_b"]})
    with app.app_context():
        assert db.session.get(KeyWorkItem, keywork["shared"]) is not None
        assert db.session.get(KeyWorkItem, keywork["only_b"]) is None
        assert db.session.get(Directive, keywork["carrier_b"]) is None  # its carrier too


def test_a_leader_reads_the_checks_and_writes_none(app, as_role, keywork):
    leader = as_role("leader")
    url = f"/admin/key_work_checks/edit/?id={keywork['check_a']}"
    assert leader.get(url).status_code in (302, 403)
    leader.post(url, data={"progress": "done", "self_assessment": "领导改的", "verdict": "good"})
    with app.app_context():
        check = db.session.get(KeyWorkCheck, keywork["check_a"])
        assert (check.self_assessment, check.verdict) == ("", None)
    listing = leader.get("/admin/key_work_checks/").get_data(as_text=True)
    assert "甲镇" in listing and "乙镇" in listing


def test_the_english_summary_is_punctuated_in_english(app, as_role, keywork):
    with app.app_context():
        check = db.session.get(KeyWorkCheck, keywork["check_a"])
        check.judge(None, "good", "")
        db.session.commit()
    url = f"/admin/key_work_rounds/summary/?id={keywork['round']}"
    chinese = as_role("staff").get(url).get_data(as_text=True)
    assert "；未评定" in chinese
    english = as_role("staff").get(url + "&lang=en").get_data(as_text=True)
    assert "Poor 0; Not judged yet" in english
    client = as_role("staff")
    client.get(url + "&lang=en")
    book = openpyxl.load_workbook(io.BytesIO(client.get(url.replace("/?", ".xlsx?")).data))
    cells = [str(c.value) for row in book.active.iter_rows() for c in row if c.value]
    assert any(c.endswith(" (Good 1)") for c in cells), cells
    assert not {"，", "；", "（"} & set(english)
