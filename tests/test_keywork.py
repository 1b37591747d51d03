"""Key work items (重要工作分工负责制), their two yearly checks, and site visits' rectifications:
the rules at their boundaries, the units' parts on the assignments' own lifecycle, and the
leaders' instructions' counts left as they were."""

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from models import (
    Assignment,
    CheckRound,
    Directive,
    KeyWorkArea,
    KeyWorkCheck,
    KeyWorkItem,
    RuleError,
    SiteVisit,
    clock,
    db,
)
from models.desk import todos
from models.directive_report import month_report
from models.keywork import check_date_problem, round_summary
from models.on_time import directive_table
from models.periods import month
from models.search import search
from models.steps import IllegalTransition
from tests import factories

TODAY = clock.today()
YEAR = TODAY.year


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


def key_work(lead, support=(), year=YEAR, area_seq=1, seq=1, due_on=None, actor=None):
    """A key work item of `year` with its lead and supporting units."""
    area = KeyWorkArea.query.filter_by(year=year, seq=area_seq).one_or_none()
    if area is None:
        area = KeyWorkArea(year=year, seq=area_seq, name=f"第{area_seq}方面")
        db.session.add(area)
    item = KeyWorkItem(
        area=area,
        seq=seq,
        title=f"重点项目{area_seq}-{seq}",
        leader_name="李副县长",
        targets="全年完成目标",
    )
    db.session.add(item)
    item.write_carrier()
    parts = {u: "lead" for u in ([lead] if lead else [])} | {u: "support" for u in support}
    item.hand_to(parts, actor, due_on=due_on)
    db.session.flush()
    return item


# ---- the check rounds' dates: early July and the end of December ----


@pytest.mark.parametrize(
    "half, day, refused",
    [
        ("h1", dt.date(2026, 6, 30), True),
        ("h1", dt.date(2026, 7, 1), False),
        ("h1", dt.date(2026, 7, 10), False),
        ("h1", dt.date(2026, 7, 11), True),
        ("h1", dt.date(2025, 7, 5), True),  # another year's July
        ("h2", dt.date(2026, 12, 20), True),
        ("h2", dt.date(2026, 12, 21), False),
        ("h2", dt.date(2026, 12, 31), False),
        ("h2", dt.date(2027, 1, 1), True),
        ("h2", dt.date(2026, 7, 5), True),  # the mid-year window is not the year-end's
        ("h3", dt.date(2026, 7, 5), True),
    ],
)
def test_a_check_is_dated_in_early_july_or_at_the_end_of_december(half, day, refused):
    assert (check_date_problem(2026, half, day) is not None) is refused


def test_the_database_keeps_one_round_per_half_of_a_year(ctx):
    db.session.add(CheckRound(year=2026, half="h1", checked_on=dt.date(2026, 7, 3)))
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(CheckRound(year=2026, half="h1", checked_on=dt.date(2026, 7, 4)))
        db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(CheckRound(year=2026, half="h9", checked_on=dt.date(2026, 7, 4)))
        db.session.flush()


# ---- an item's units work on the assignments' own lifecycle ----


def test_an_item_gives_its_units_assignments_due_at_the_years_end(ctx):
    a, b, c = factories.unit(), factories.unit(), factories.unit()
    item = key_work(a, support=[b, c])
    directive = item.directive
    assert directive.origin == "key_work"
    assert directive.number == f"重要工作〔{YEAR}〕1-1号"
    parts = {x.unit: (x.part, x.due_on, x.status) for x in directive.assignments}
    end = dt.date(YEAR, 12, 31)
    assert parts == {
        a: ("lead", end, "assigned"),
        b: ("support", end, "assigned"),
        c: ("support", end, "assigned"),
    }
    assert item.units_of("lead") == [a] and set(item.units_of("support")) == {b, c}
    assert [e.action for e in directive.assignments[0].events] == ["assign"]


def test_a_unit_reports_progress_on_the_lifecycle_and_the_light_follows(ctx):
    unit = factories.unit()
    office = factories.account("staff")
    officer = factories.account("unit", unit)
    end = TODAY + dt.timedelta(days=10)
    item = key_work(unit, due_on=end, actor=office)
    part = item.assignments[0]
    part.acknowledge(officer)
    factories.feedback(part, "progress", actor=officer)
    assert part.status == "in_progress"
    assert [e.action for e in part.events] == ["assign", "acknowledge", "progress"]
    assert part.light(TODAY, days=3) == "green"
    assert part.light(end - dt.timedelta(days=3), days=3) == "yellow"
    assert part.light(end, days=3) == "yellow"
    assert part.light(end + dt.timedelta(days=1), days=3) == "red"
    # The office chases it like any assignment; no step outside the lifecycle is allowed.
    part.chase(office, "请加快进度")
    assert part.events[-1].action == "chase"
    with pytest.raises(IllegalTransition):
        part.accept(office)
    another = factories.account("unit", factories.unit())
    with pytest.raises(RuleError):
        part.report_progress(another)


def test_an_items_part_is_on_the_units_to_do_list(ctx):
    unit = factories.unit()
    officer = factories.account("unit", unit)
    item = key_work(unit)
    db.session.flush()
    kinds = {t.kind: t for t in todos(officer, TODAY, 2, factories.WorkCalendar(), 3)}
    assert [i.record_id for i in kinds["sign"].items] == [item.assignments[0].id]


def test_only_the_office_hands_out_key_work_and_not_after_the_due_date(ctx):
    unit = factories.unit()
    with pytest.raises(RuleError):
        key_work(unit, actor=factories.account("unit", unit))
    db.session.rollback()
    unit = factories.unit()
    with pytest.raises(RuleError):
        key_work(unit, due_on=TODAY - dt.timedelta(days=1))


def test_key_work_is_not_counted_among_the_leaders_instructions(ctx):
    unit = factories.unit()
    factories.directive(unit, received_on=TODAY, due_on=TODAY)  # a leader's instruction
    key_work(unit, due_on=TODAY)
    db.session.flush()
    report = month_report(TODAY.replace(day=1))
    assert report.total.received == 1
    table = directive_table(month(TODAY))
    assert sum(row.due for row in table) == 1
    assert Assignment.query.filter(Assignment.of_instruction()).count() == 1
    assert Assignment.query.count() == 2
    office = factories.account("staff")
    assert search(office, "重点项目")["directives"].rows == []
    assert search(office, "关于事项")["directives"].rows != []  # the instruction is found


# ---- who sees what ----


def test_a_unit_sees_the_items_it_has_a_part_in(ctx):
    a, b = factories.unit(), factories.unit()
    mine = key_work(a, support=[])
    key_work(b, seq=2)
    officer = factories.account("unit", a)
    leader = factories.account("leader")
    assert KeyWorkItem.query.filter(KeyWorkItem.visible_to(officer)).all() == [mine]
    assert KeyWorkItem.query.filter(KeyWorkItem.visible_to(leader)).count() == 2


# ---- the checks ----


def _round(year=YEAR, half="h1", day=None):
    check_round = CheckRound(year=year, half=half, checked_on=day or dt.date(year, 7, 5))
    db.session.add(check_round)
    return check_round


def test_opening_a_round_makes_a_check_per_item_and_unit_once(ctx):
    a, b, c = factories.unit(), factories.unit(), factories.unit()
    first = key_work(a, support=[b])
    second = key_work(c, seq=2)
    key_work(a, year=YEAR + 1, seq=1)  # next year's: not in this round
    second.assignments[0].cancel(None, "调整分工")
    check_round = _round()
    made = check_round.open()
    assert {(x.item_id, x.unit_id) for x in made} == {(first.id, a.id), (first.id, b.id)}
    db.session.flush()
    assert check_round.open() == []  # opened again: nothing more
    assert KeyWorkCheck.query.count() == 2


def test_a_round_dated_outside_its_window_does_not_open(ctx):
    check_round = _round(day=dt.date(YEAR, 7, 11))
    with pytest.raises(RuleError):
        check_round.open()


def test_the_unit_assesses_its_own_part_until_the_office_judges(ctx):
    a, b = factories.unit(), factories.unit()
    key_work(a, support=[b])
    (check_a, check_b) = sorted(_round().open(), key=lambda x: x.unit_id)
    officer_a = factories.account("unit", a)
    office = factories.account("staff")
    with pytest.raises(RuleError):
        check_b.assess(officer_a, "写别人的", "on_schedule")
    with pytest.raises(RuleError):
        check_a.assess(officer_a, "  ", "on_schedule")
    with pytest.raises(RuleError):
        check_a.assess(officer_a, "进展顺利", "finished")
    check_a.assess(officer_a, "进展顺利", "on_schedule")
    with pytest.raises(RuleError):
        check_a.judge(officer_a, "good")
    with pytest.raises(RuleError):
        check_a.judge(office, "excellent")
    check_a.judge(office, "fairly_good", "按计划推进")
    assert (check_a.verdict, check_a.judged_by_name) == ("fairly_good", str(office))
    with pytest.raises(RuleError):
        check_a.assess(officer_a, "再改", "done")
    db.session.flush()
    assert KeyWorkCheck.query.filter(KeyWorkCheck.visible_to(officer_a)).all() == [check_a]


def test_the_summary_counts_each_areas_verdicts(ctx):
    a, b = factories.unit(), factories.unit()
    key_work(a, support=[b])
    key_work(b, area_seq=2)
    checks = _round().open()
    db.session.flush()
    checks[0].judge(None, "good")
    checks[1].judge(None, "poor")
    db.session.flush()
    areas = round_summary(checks[0].round)
    assert [s.area.seq for s in areas] == [1, 2]
    first = areas[0].counts()
    assert (first["good"], first["poor"], first[None]) == (1, 1, 0)
    assert areas[1].counts()[None] == 1
    own = round_summary(checks[0].round, scope=KeyWorkCheck.unit_id == b.id)
    assert sum(len(s.checks) for s in own) == 2


# ---- a site visit's rectification ----


def test_a_rectification_is_tracked_and_overdue_after_its_deadline(ctx):
    unit = factories.unit()
    office = factories.account("staff")
    deadline = TODAY + dt.timedelta(days=5)
    visit = SiteVisit(
        unit=unit,
        visited_on=TODAY,
        place="某镇政府",
        members="督查室张三、李四",
        findings="项目停滞三个月",
        rectification="一个月内恢复施工",
        rectify_by=deadline,
    )
    part = visit.require_rectification(office)
    db.session.flush()
    assert part.directive.origin == "rectification"
    assert (part.unit, part.part, part.due_on) == (unit, "lead", deadline)
    assert not part.is_overdue(deadline)
    assert part.is_overdue(deadline + dt.timedelta(days=1))
    assert part.light(deadline + dt.timedelta(days=1)) == "red"
    assert part.days_overdue(deadline + dt.timedelta(days=3)) == 3
    assert Assignment.query.filter(Assignment.of_instruction()).count() == 0
    # The deadline moved on the visit moves the assignment's, as a recorded step.
    visit.rectify_by = deadline + dt.timedelta(days=7)
    visit.require_rectification(office)
    assert part.due_on == deadline + dt.timedelta(days=7)
    assert part.events[-1].action == "change_due_date"


@pytest.mark.parametrize(
    "rectification, rectify_by, field",
    [
        ("恢复施工", None, "rectify_by"),
        ("", TODAY, "rectification"),
        ("恢复施工", TODAY - dt.timedelta(days=1), "rectify_by"),  # before the visit
    ],
)
def test_a_rectification_needs_its_text_and_a_deadline_not_before_the_visit(
    ctx, rectification, rectify_by, field
):
    visit = SiteVisit(
        unit=factories.unit(),
        visited_on=TODAY,
        place="某地",
        members="张三",
        rectification=rectification,
        rectify_by=rectify_by,
    )
    with pytest.raises(RuleError) as error:
        visit.require_rectification(None)
    assert error.value.field == field


def test_a_visit_without_rectification_tracks_nothing(ctx):
    visit = SiteVisit(unit=factories.unit(), visited_on=TODAY, place="某地", members="张三")
    assert visit.require_rectification(None) is None
    assert db.session.scalar(sa.select(sa.func.count(Directive.id))) == 0


# ---- importing the items from the office's spreadsheet ----


def _import(rows, actor, commit=True):
    from models.imports import check_rows, template_header
    from tests.import_files import xlsx_bytes

    header = template_header("key_work")
    rows = [list(row) + [""] * (len(header) - len(row)) for row in rows]
    outcomes = check_rows("key_work", xlsx_bytes(header, rows), actor, commit=commit)
    if commit:
        db.session.commit()
    return outcomes


DUE = max(TODAY, dt.date(YEAR, 12, 30))  # a day before the year's end, unless it passed


def test_importing_items_gives_their_units_parts_and_again_changes_nothing(ctx):
    factories.unit(code="QH"), factories.unit(code="CG"), factories.unit(code="XF")
    office = factories.account("staff")
    db.session.commit()
    rows = [
        [YEAR, 1, "经济发展", 1, "招商引资", "李副县长", "QH", "CG、XF", "引进项目10个"],
        [YEAR, 1, "经济发展", 2, "项目建设", "李副县长", "CG", "", ""],
        [YEAR, 2, "民生保障", 1, "就业创业", "王副县长", "XF", "", "", DUE.isoformat()],
    ]
    outcomes = _import(rows, office)
    assert [o.action for o in outcomes] == ["create", "create", "create"]
    item = KeyWorkItem.query.filter_by(title="招商引资").one()
    assert {(a.unit.code, a.part) for a in item.assignments} == {
        ("QH", "lead"),
        ("CG", "support"),
        ("XF", "support"),
    }
    late = KeyWorkItem.query.filter_by(title="就业创业").one()
    assert late.assignments[0].due_on == DUE
    assert KeyWorkArea.query.count() == 2
    assert [o.action for o in _import(rows, office)] == ["unchanged"] * 3
    rows[1][7] = "QH"  # a supporting unit added, the title changed
    rows[1][4] = "重大项目建设"
    again = _import(rows, office)
    assert [o.action for o in again] == ["unchanged", "update", "unchanged"]
    changed = KeyWorkItem.query.filter_by(seq=2).one()
    assert changed.directive.title == "重大项目建设"
    assert {a.part for a in changed.assignments} == {"lead", "support"}


@pytest.mark.parametrize(
    "row, says",
    [
        ([YEAR, 1, "经济", 1, "无牵头", "李副县长", "", "QH"], "牵头单位"),
        ([YEAR, 1, "经济", 1, "未知单位", "李副县长", "NOPE"], "NOPE"),
        ([YEAR, 1, "经济", 1, "两个身份", "李副县长", "QH", "QH"], "既牵头又配合"),
        ([YEAR, 0, "经济", 1, "序号", "李副县长", "QH"], "1"),
        ([YEAR, 1, "经济", 1, "跨年", "李副县长", "QH", "", "", f"{YEAR + 1}-01-05"], ""),
        ([YEAR - 1, 1, "经济", 1, "过期", "李副县长", "QH"], ""),  # its year's end has passed
    ],
)
def test_a_bad_key_work_row_is_refused_and_nothing_is_saved(ctx, row, says):
    factories.unit(code="QH")
    office = factories.account("staff")
    db.session.commit()
    outcomes = _import([row], office)
    assert [o.action for o in outcomes] == ["refused"]
    assert says in outcomes[0].detail
    assert KeyWorkItem.query.count() == 0 and Directive.query.count() == 0


def test_the_directive_import_leaves_key_work_alone(ctx):
    from models.imports import check_rows, template_cells, template_header
    from tests.import_files import xlsx_bytes

    unit = factories.unit(code="QH")
    office = factories.account("staff")
    item = key_work(unit)
    db.session.commit()
    assert list(template_cells("directives")) == []  # not a leader's instruction
    header = template_header("directives")
    row = [item.directive.number, "改标题", "张书记", "市级", TODAY.isoformat()]
    row += [""] * (len(header) - len(row))
    outcomes = check_rows("directives", xlsx_bytes(header, [row]), office, commit=True)
    assert [o.action for o in outcomes] == ["refused"]
    assert "不是领导批示件" in outcomes[0].detail


def test_reminders_and_chases_name_what_the_unit_handles(ctx):
    from models import Notice
    from models.notice_plan import NoticeRules
    from models.notice_scan import record_due_notices

    unit = factories.unit()
    factories.staff(unit)  # an information officer to tell
    due = TODAY + dt.timedelta(days=2)
    key_work(unit, due_on=due)
    SiteVisit(
        unit=unit,
        visited_on=TODAY,
        place="某地",
        members="张三",
        rectification="恢复施工",
        rectify_by=due,
    ).require_rectification(None)
    factories.directive(unit, received_on=TODAY, due_on=due)
    db.session.commit()
    record_due_notices(TODAY, NoticeRules(remind_days=3))
    bodies = sorted(n.body for n in Notice.query.filter_by(kind="reminder"))
    assert len(bodies) == 3
    assert any("李副县长同志分管的重要工作“重点项目1-1”" in b for b in bodies)
    assert any("实地督办整改事项“实地督办整改：某地”" in b for b in bodies)
    assert any("张书记同志批示件" in b for b in bodies)


def test_overdue_key_work_is_not_drafted_into_the_instructions_criticism(ctx):
    from models.criticism import overdue_to_criticise

    unit = factories.unit()
    part = key_work(unit, due_on=TODAY).assignments[0]
    instruction = factories.assignment_due(unit, TODAY)
    later = TODAY + dt.timedelta(days=60)
    found = overdue_to_criticise(later, 10, factories.WorkCalendar())
    assert found == {unit.id: [instruction]}
    assert part.is_overdue(later)
