"""The monthly directive report: what each column counts, the rates, and its cost in SQL."""

import datetime as dt
import io

import openpyxl
import pytest

from models import Assignment, clock, db
from models.directive_report import month_report, month_start, month_total, rate
from tests import factories
from tests.helpers import count_statements

D = dt.date
JUNE = D(2026, 6, 1)
TODAY = D(2026, 7, 10)


def at(day):
    return clock.start_of(day) + dt.timedelta(hours=10)


def _assignment(unit, assigned, due):
    return factories.directive(unit, received_on=assigned, due_on=due).assignments[0]


def _finish(assignment, submitted, accepted=None):
    signer = factories.leaders(assignment.unit)[1]
    assignment.acknowledge(None, at=at(assignment.assigned_on))
    factories.feedback(assignment, "result", signer=signer, at=at(submitted))
    assignment.accept(None, at=at(accepted or submitted + dt.timedelta(days=3)))


@pytest.fixture
def june(app):
    """Units A and B (townships) and C (a department) with assignments around June 2026."""
    with app.app_context():
        a = factories.unit(code="A", name="甲镇")
        b = factories.unit(code="B", name="乙镇")
        c = factories.unit(code="C", name="丙局", kind="county_dept", ranking_group="department")
        _finish(_assignment(a, D(2026, 5, 10), D(2026, 6, 9)), D(2026, 6, 5))  # on time
        _finish(_assignment(a, D(2026, 6, 3), D(2026, 6, 20)), D(2026, 6, 25))  # late
        _assignment(a, D(2026, 6, 10), D(2026, 6, 29))  # overdue at month end
        _assignment(a, D(2026, 6, 15), D(2026, 6, 30))  # due on the last day: in progress
        _finish(_assignment(b, D(2026, 5, 1), D(2026, 5, 31)), D(2026, 5, 28))  # May's
        _assignment(b, D(2026, 6, 20), D(2026, 7, 20)).cancel(None, "撤销", at=at(D(2026, 6, 25)))
        _assignment(b, D(2026, 7, 2), D(2026, 7, 30))  # July's
        _assignment(b, D(2026, 4, 1), D(2026, 4, 30))  # long overdue
        _finish(_assignment(c, D(2026, 6, 5), D(2026, 7, 5)), D(2026, 7, 3))  # after June
        db.session.commit()
    return app


def _counts(row):
    return (row.received, row.finished, row.on_time, row.overdue, row.in_progress)


def test_each_column_at_its_boundary(june):
    with june.app_context():
        report = month_report(JUNE, today=TODAY)
    assert report.as_of == D(2026, 6, 30)
    units = {row.code: row for row in report.units}
    assert _counts(units["A"]) == (3, 2, 1, 1, 1)
    assert _counts(units["B"]) == (0, 0, 0, 1, 0)
    assert _counts(units["C"]) == (1, 0, 0, 0, 1)
    assert units["A"].completion_rate == 50.0 and units["A"].on_time_rate == 50.0
    assert units["B"].completion_rate == 0.0 and units["B"].on_time_rate is None


def test_groups_and_the_total(june):
    with june.app_context():
        report = month_report(JUNE, today=TODAY)
    groups = {row.group: row for row in report.groups}
    assert _counts(groups["township"]) == (3, 2, 1, 2, 1)
    assert _counts(groups["department"]) == (1, 0, 0, 0, 1)
    assert _counts(report.total) == (4, 2, 1, 2, 2)
    assert report.total.completion_rate == 33.3


def test_the_running_month_counts_to_today(june):
    with june.app_context():
        report = month_report(D(2026, 7, 1), today=TODAY)
    assert report.as_of == TODAY
    units = {row.code: row for row in report.units}
    # C finished on 3 July, on time; B's July assignment is received and not yet due.
    assert _counts(units["C"]) == (0, 1, 1, 0, 0)
    assert units["B"].received == 1 and units["B"].in_progress == 1


def test_a_unit_officer_sees_only_their_units_row(june):
    with june.app_context():
        officer = factories.account("unit", db.session.query(Assignment).first().unit)
        report = month_report(JUNE, scope=Assignment.visible_to(officer), today=TODAY)
    assert [row.code for row in report.units] == ["A"]
    assert _counts(report.total) == (3, 2, 1, 1, 1)


def test_the_report_costs_one_statement_whatever_the_units(june):
    with count_statements(june) as few, june.app_context():
        month_report(JUNE, today=TODAY)
    with june.app_context():
        for n in range(20):
            _assignment(factories.unit(code=f"X{n}"), D(2026, 6, 2), D(2026, 6, 25))
        db.session.commit()
    with count_statements(june) as many, june.app_context():
        report = month_report(JUNE, today=TODAY)
    assert len(report.units) == 23
    assert len(few) == len(many) == 1


def test_rates_and_months():
    assert rate(1, 3) == 33.3 and rate(0, 0) is None and rate(2, 2) == 100.0
    assert month_start("2026-02") == D(2026, 2, 1)
    assert month_start("2026-13") is None and month_start("") is None and month_start(None) is None


# ---- as the month stood: later steps change nothing ----


def _report_codes(first, today=TODAY):
    return {row.code: _counts(row) for row in month_report(first, today=today).units}


def test_a_result_accepted_after_the_month_is_not_finished_in_it(app):
    with app.app_context():
        unit = factories.unit(code="L")
        # Submitted on 30 June (before its due date), accepted on 7 July.
        _finish(_assignment(unit, D(2026, 6, 1), D(2026, 7, 5)), D(2026, 6, 30), D(2026, 7, 7))
        db.session.commit()
        assert _report_codes(JUNE)["L"] == (1, 0, 0, 0, 1)  # received, in progress
        assert _report_codes(D(2026, 7, 1))["L"] == (0, 1, 1, 0, 0)  # finished in July, on time
        assert "L" not in _report_codes(D(2026, 8, 1), today=D(2026, 9, 10))


def test_an_assignment_cancelled_after_the_month_was_live_in_it(app):
    with app.app_context():
        unit = factories.unit(code="K")
        assignment = _assignment(unit, D(2026, 11, 27), D(2026, 12, 27))
        assignment.cancel(None, "撤销交办", at=at(D(2026, 12, 1)))
        db.session.commit()
        november = month_report(D(2026, 11, 1), today=D(2026, 12, 3))
        assert _counts(november.units[0]) == (1, 0, 0, 0, 1)
        assert month_report(D(2026, 12, 1), today=D(2026, 12, 3)).units == []


def test_the_due_date_is_the_one_of_the_day(app):
    with app.app_context():
        unit = factories.unit(code="E")
        assignment = _assignment(unit, D(2026, 6, 1), D(2026, 6, 20))
        assignment.acknowledge(None, at=at(D(2026, 6, 2)))
        assignment.request_extension(None, D(2026, 7, 10), "需要核查", at=at(D(2026, 6, 19)))
        # Granted on 2 July: at the end of June the request waited, the old date had passed.
        assignment.grant_extension(None, comment="同意", at=at(D(2026, 7, 2)))
        db.session.commit()
        assert _report_codes(JUNE)["E"] == (1, 0, 0, 1, 0)  # overdue then
        assert _report_codes(D(2026, 7, 1), today=D(2026, 7, 5))["E"] == (0, 0, 0, 0, 1)


def _expected(first, as_of):
    """The report's unit rows recomputed in Python from each assignment's history rows."""
    from models import AssignmentEvent

    cutoff = clock.start_of(as_of + dt.timedelta(days=1))
    steps = {}
    for event in AssignmentEvent.query.order_by(AssignmentEvent.at, AssignmentEvent.id):
        if event.at < cutoff:
            steps[event.assignment_id] = event
    rows = {}
    for a in Assignment.query:
        if a.assigned_on > as_of:
            continue
        last = steps.get(a.id)
        status = last.to_status if last else "assigned"
        due = last.due_on if last else a.original_due_on
        if status == "cancelled" or (status == "accepted" and last.at < clock.start_of(first)):
            continue
        finished = status == "accepted"
        overdue = not finished and status not in ("submitted",) and due < as_of
        counts = rows.setdefault(a.unit.code, [0, 0, 0, 0, 0])
        counts[0] += a.assigned_on >= first
        counts[1] += finished
        counts[2] += finished and a.finished_on <= a.due_on
        counts[3] += overdue
        counts[4] += not finished and not overdue
    return {code: tuple(counts) for code, counts in rows.items()}


def _random_history(seed=19):
    """Forty assignments of four units, each taken through random steps from May to
    September 2026, every step at its own day."""
    import random

    from models.base import RuleError

    rng = random.Random(seed)
    units = [factories.unit(code=f"R{n}") for n in range(4)]
    signers = {u.id: factories.leaders(u)[0] for u in units}
    for n in range(40):
        start = D(2026, 5, 1) + dt.timedelta(days=rng.randrange(100))
        a = _assignment(rng.choice(units), start, start + dt.timedelta(days=rng.randrange(5, 40)))
        day = start
        for _ in range(rng.randrange(1, 7)):
            day += dt.timedelta(days=rng.randrange(1, 12))
            when = at(day)
            step = rng.choice(NEXT_STEPS[a.status] + ("cancel", "change") * (n % 7 == 0))
            try:
                with db.session.begin_nested():
                    _take(a, step, when, day, signers[a.unit_id])
            except (RuleError, ValueError):
                pass
    db.session.commit()


NEXT_STEPS = {
    "assigned": ("acknowledge",),
    "acknowledged": ("progress", "submit", "extend"),
    "in_progress": ("progress", "submit", "extend", "grant", "refuse"),
    "submitted": ("accept", "accept", "return"),
    "returned": ("submit", "progress"),
    "accepted": ("accept",),
    "cancelled": ("cancel",),
}


def _take(a, step, when, day, signer):
    if step == "acknowledge":
        a.acknowledge(None, at=when)
    elif step == "progress":
        factories.feedback(a, "progress", at=when)
    elif step == "submit":
        factories.feedback(a, "result", signer=signer, at=when)
    elif step == "accept":
        a.accept(None, at=when)
    elif step == "return":
        a.return_result(None, "缺少措施", at=when)
    elif step == "extend":
        a.request_extension(None, a.due_on + dt.timedelta(days=10), "理由", at=when)
    elif step == "grant":
        a.grant_extension(None, comment="同意", at=when)
    elif step == "refuse":
        a.refuse_extension(None, "不同意", at=when)
    elif step == "cancel":
        a.cancel(None, "撤销", at=when)
    else:
        a.change_due_date(None, day + dt.timedelta(days=7), "调整", at=when)
    db.session.flush()


def test_each_month_equals_a_recomputation_from_the_history(app):
    seen = [0] * 5
    with app.app_context():
        _random_history()
        for first in [D(2026, m, 1) for m in (5, 6, 7, 8, 9)]:
            report = month_report(first, today=D(2026, 9, 20))
            got = {row.code: _counts(row) for row in report.units}
            assert got == _expected(first, report.as_of), first
            for counts in got.values():
                seen = [n + c for n, c in zip(seen, counts, strict=True)]
    assert all(seen), seen  # the history reached every column


def test_a_month_counted_to_a_day_leaves_out_the_steps_dated_after_it(app):
    # Counted to today, an assignment stands as it is unless it has a step dated later
    # (a month recomputed to the day it was filed): those are read from their steps.
    with app.app_context():
        _random_history()
        for today in [D(2026, 6, 12), D(2026, 7, 3), D(2026, 7, 31), D(2026, 8, 20)]:
            report = month_report(today.replace(day=1), today=today)
            got = {row.code: _counts(row) for row in report.units}
            assert report.as_of == today
            assert got == _expected(today.replace(day=1), today), today
            assert month_total(today.replace(day=1), today=today) == report.total


def test_the_month_so_far_is_counted_from_the_assignments_as_they_stand(app):
    # Counted to the real today, no step is dated later (each is dated when taken): the
    # assignments are counted as they stand, their steps not read, and the report equals
    # the recomputation from the history.
    with app.app_context():
        _random_history()
        today = clock.today()
        with count_statements(app) as seen:
            report = month_report(today.replace(day=1))
            total = month_total(today.replace(day=1))
        got = {row.code: _counts(row) for row in report.units}
        assert report.as_of == today and any(map(any, got.values()))
        assert got == _expected(today.replace(day=1), today)
        assert total == report.total
        assert seen and not any("assignment_events" in statement for statement in seen)


def test_the_total_alone_is_the_sum_of_the_unit_rows(june):
    with june.app_context():
        for first, today in [(JUNE, TODAY), (D(2026, 7, 1), TODAY), (D(2026, 5, 1), TODAY)]:
            total = month_report(first, today=today).total
            assert month_total(first, today=today) == total
            assert total.received  # something to count


# ---- filing a month ----


def test_a_filed_month_stays_as_filed(june):
    from models.directive_report import FilingError, changed_units, file_month, filings

    with june.app_context():
        filing = file_month(JUNE, None, today=TODAY)
        db.session.commit()
        filed = {row.code: _counts(row) for row in filing.report().units}
        assert filed == _report_codes(JUNE)
        # Later: July's steps, and an assignment entered late with a June assignment date.
        a_unit = db.session.query(Assignment).first().unit
        late = _assignment(a_unit, D(2026, 6, 12), D(2026, 6, 28))
        late.cancel(None, "撤销", at=at(D(2026, 7, 9)))
        db.session.commit()
        db.session.expire_all()
        (kept,) = filings(JUNE)
        assert {row.code: _counts(row) for row in kept.report().units} == filed
        assert kept.report().total.received == 4 and _report_codes(JUNE)["A"][0] == 4
        assert changed_units(kept.report(), month_report(JUNE, today=kept.as_of)) == ["甲镇"]
        with pytest.raises(FilingError):
            file_month(JUNE, None, today=TODAY)  # again, without saying why
        file_month(JUNE, None, note="补录一件", today=TODAY)
        db.session.commit()
        assert [f.note for f in filings(JUNE)] == ["补录一件", ""]
        with pytest.raises(FilingError):
            file_month(D(2026, 8, 1), None, today=TODAY)  # not begun
        for note in ("补录\x00", "长" * 1001):
            with pytest.raises(FilingError):
                file_month(JUNE, None, note=note, today=TODAY)
        assert len(filings(JUNE)) == 2


def test_the_office_files_and_everyone_reads_the_filed_version(app, as_role, world):
    from models import Unit

    with app.app_context():
        for unit_id in (world.unit_a, world.unit_b):
            _assignment(db.session.get(Unit, unit_id), D(2026, 6, 3), D(2026, 6, 20))
        db.session.commit()
    staff = as_role("staff")
    page = staff.get("/admin/directive-report/?month=2026-06").get_data(as_text=True)
    assert "报送" in page and "ducha-filed" not in page
    assert staff.post("/admin/directive-report/file/", data={"month": "2026-06"}).status_code == 302
    page = staff.get("/admin/directive-report/?month=2026-06").get_data(as_text=True)
    assert "ducha-filed" in page and "ducha-changed" not in page
    again = staff.post("/admin/directive-report/file/", data={"month": "2026-06"})
    assert "再次报送请说明原因" in staff.get(again.location).get_data(as_text=True)
    leader = as_role("leader")
    leader.post("/admin/directive-report/file/", data={"month": "2026-06", "note": "x"})
    with app.app_context():
        from models.directive_report import filings

        assert len(filings(JUNE)) == 1
    assert "ducha-filed" in leader.get("/admin/directive-report/?month=2026-06").get_data(
        as_text=True
    )
    unit_page = as_role("unit").get("/admin/directive-report/?month=2026-06").get_data(as_text=True)
    assert "ducha-filed" in unit_page and "甲镇" in unit_page and "乙镇" not in unit_page
    assert 'action="/admin/directive-report/file/"' not in unit_page
    # The printed form names who filed it and when, whoever prints it later.
    with app.app_context():
        from models import Account

        filer = str(db.session.get(Account, world.account_ids["staff"]))
    sheet = _workbook(leader, "2026-06")
    assert f"填报人：{filer}" in _filing_block(sheet)


def test_postgresql_compiles_no_query_just_in_time(app):
    # The report's step lookups cost more to compile than to run: the app turns JIT off.
    import sqlalchemy as sa

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only")
        assert db.session.scalar(sa.text("SHOW jit")) == "off"
        assert db.session.scalar(sa.text("SHOW timezone")) == "UTC"


# ---- the printed form ----

OFFICE = "中共清河县委办公室"
NUMBER_COLUMNS = range(2, 9)  # 本月收到 … 按时办结率（%）, 1-based


@pytest.fixture
def app_config():
    return {"OFFICE_NAME": OFFICE}


def _workbook(client, month):
    response = client.get(f"/admin/directive-report/export.xlsx?month={month}")
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.data)).active


def _filing_block(sheet):
    """The texts of the rows under the total (合计)."""
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    total = next(n for n, row in enumerate(rows) if row[:1] == ["合计"])
    return [text for row in rows[total + 1 :] for text in row]


@pytest.fixture
def unfinished_june(app, world):
    """June 2026: unit A has one assignment, overdue at the month's end, none finished."""
    from models import Unit

    with app.app_context():
        _assignment(db.session.get(Unit, world.unit_a), D(2026, 6, 3), D(2026, 6, 20))
        db.session.commit()
    return world


def test_the_workbook_is_printed_as_the_office_files_it(as_role, unfinished_june):
    sheet = _workbook(as_role("staff"), "2026-06")
    assert sheet.title == "2026年6月"
    # The title, merged across the table, in 黑体; the body in 仿宋.
    assert sheet["A1"].value == "领导批示件月报表（2026-06）"
    assert "A1:H1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A1"].font.name == "黑体"
    assert sheet["A2"].value == "统计截至 2026-06-30"
    header = [c.value for c in sheet[3]]
    assert header == [
        "单位", "本月收到", "办结", "按时办结", "逾期", "办理中", "报结率（%）", "按时办结率（%）",
    ]  # fmt: skip
    body = [c.value for c in sheet[4]]
    assert body == ["甲镇", 1, 0, 0, 1, 0, 0, "—"]  # no finished item: no on-time rate
    assert {c.font.name for c in sheet[4]} == {"仿宋"}
    assert sheet.cell(4, 7).number_format == "0.0"  # 0.0, as the page shows it
    assert sheet["A5"].value == "小计：乡镇街道组" and sheet["A5"].font.b and not sheet["A4"].font.b
    # No unit code in the table: the units' codes are internal.
    assert not any(cell in ("A", "B") for row in sheet.iter_rows(values_only=True) for cell in row)
    # Each number sits under its own header: both centred.
    for col in NUMBER_COLUMNS:
        assert sheet.cell(3, col).alignment.horizontal == "center"
        assert sheet.cell(4, col).alignment.horizontal == "center"
    # A4 landscape, one page wide (any number tall), the header row on every page.
    setup = sheet.page_setup
    assert (setup.orientation, int(setup.paperSize)) == ("landscape", 9)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0)  # 1 is left out of the file
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"


def test_the_filing_block_names_the_office_the_person_and_the_day(app, as_role, unfinished_june):
    from models import Account

    today = clock.today()
    with app.app_context():
        staff = str(db.session.get(Account, unfinished_june.account_ids["staff"]))
        leader = str(db.session.get(Account, unfinished_june.account_ids["leader"]))
    block = _filing_block(_workbook(as_role("leader"), "2026-06"))
    assert block == [
        f"填报单位：{OFFICE}",
        f"填报人：{leader}",  # not filed: the person printing it
        "审核人：____________",
        f"填报日期：{today.year}年{today.month}月{today.day}日",
    ]
    staff_client = as_role("staff")
    staff_client.post("/admin/directive-report/file/", data={"month": "2026-06"})
    block = _filing_block(_workbook(as_role("leader"), "2026-06"))
    assert block[1] == f"填报人：{staff}"  # filed: who filed it
    page = as_role("leader").get("/admin/directive-report/?month=2026-06").get_data(as_text=True)
    assert f"填报单位：{OFFICE}" in page and f"填报人：{staff}" in page


def test_the_page_shows_a_rate_with_nothing_to_count_as_the_workbook(as_role, unfinished_june):
    page = as_role("staff").get("/admin/directive-report/?month=2026-06").get_data(as_text=True)
    row = page[page.index("<td>甲镇</td>") :]
    row = row[: row.index("</tr>")]
    assert row.count('class="text-center"') == 7 and row.endswith(">—</td>\n    ")
