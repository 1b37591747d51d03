"""Reports through HTTP: submission by units, answers, fast adoption, bonuses, deductions,
quotas and solicitations."""

import datetime as dt
import re

from models import (
    Account,
    Adoption,
    AuditEntry,
    Deduction,
    Instruction,
    Publication,
    Quota,
    Report,
    ScoreRule,
    Solicitation,
    Unit,
    clock,
    db,
)
from tests import factories
from tests.helpers import count_statements
from tests.test_views import read

REPORT = {"title": "甲镇开展秋季防火检查", "category": "news", "body": "正文", "author": "王芳"}


def _reports(app, n, unit_id, days_ago=3, **kw):
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        submitted_at = clock.now() - dt.timedelta(days=days_ago)
        ids = [factories.report(unit, submitted_at=submitted_at, **kw).id for _ in range(n)]
        db.session.commit()
    return ids


def _adopt(client, ids, publication, issue_no="12", adopted_on=None):
    adopted_on = adopted_on or clock.today().isoformat()
    return client.post(
        "/admin/reports/adopt/",
        data={
            "ids": ",".join(str(i) for i in ids),
            "publication": publication,
            "issue_no": issue_no,
            "adopted_on": adopted_on,
        },
    )


def _adoptions(app, ids):
    with app.app_context():
        return Adoption.query.filter(Adoption.report_id.in_(ids)).count()


def test_unit_officer_submits_with_the_unit_of_the_login_and_names_the_author(app, as_role, world):
    response = as_role("unit").post(
        "/admin/reports/new/",
        data={
            **REPORT,
            "author": "张晓燕",
            "unit": world.unit_b,
            "submitted_at": "2020-01-01 00:00:00",
            "status": "adopted",
            "answer_comment": "自己批的",
        },
    )
    assert response.status_code == 302
    (report,) = read(app, Report, title=REPORT["title"])
    (officer,) = read(app, Account, id=world.account_ids["unit"])
    assert report.unit_id == world.unit_a
    assert report.author == "张晓燕"  # who wrote it (撰稿人); who sent it is submitted_by
    assert report.submitted_at.year == clock.today().year
    assert report.submitted_by_id == officer.id
    assert (report.status, report.answer_comment) == ("received", None)


def test_the_office_answers_and_the_unit_sees_the_answer_on_its_list(app, as_role, world):
    staff = as_role("staff")
    response = staff.post(
        f"/admin/reports/edit/?id={world.report_a}",
        data={
            "title": "甲镇信息",
            "category": "news",
            "author": "李明",
            "unit": world.unit_a,
            "submitted_at": "2026-11-01 10:00:00",
            "status": "returned",
            "answer_comment": "请补充具体数据",
        },
    )
    assert response.status_code == 302
    (report,) = read(app, Report, id=world.report_a)
    assert report.status == "returned" and report.answered_by_id == world.account_ids["staff"]
    assert report.answered_at is not None
    page = as_role("unit").get("/admin/reports/").get_data(as_text=True)
    assert "请补充具体数据" in page and "已退稿" in page


def test_a_returned_report_edited_by_the_unit_is_submitted_again(app, as_role, world):
    with app.app_context():
        db.session.get(Report, world.report_a).answer("returned", None, "补充数据")
        db.session.commit()
    response = as_role("unit").post(
        f"/admin/reports/edit/?id={world.report_a}",
        data={**REPORT, "title": "甲镇信息（补充数据）"},
    )
    assert response.status_code == 302
    (report,) = read(app, Report, id=world.report_a)
    assert report.status == "received" and report.title == "甲镇信息（补充数据）"


def test_returning_without_a_reason_is_refused(app, as_role, world):
    response = as_role("staff").post(
        f"/admin/reports/edit/?id={world.report_a}",
        data={
            "title": "甲镇信息",
            "category": "news",
            "author": "李明",
            "unit": world.unit_a,
            "submitted_at": "2026-11-01 10:00:00",
            "status": "returned",
            "answer_comment": "",
        },
    )
    assert response.status_code == 200
    assert "请填写退稿原因" in response.get_data(as_text=True)
    assert read(app, Report, id=world.report_a)[0].status == "received"


def test_batch_adoption_adopts_exactly_the_selected_reports(app, as_role, world):
    ids = _reports(app, 4, world.unit_a)
    chosen, left = ids[:3], ids[3:]
    client = as_role("staff")
    form = client.post("/admin/reports/action/", data={"action": "adopt", "rowid": chosen})
    assert form.status_code == 302 and "/admin/reports/adopt/" in form.headers["Location"]
    page = client.get(form.headers["Location"]).get_data(as_text=True)
    assert "采用 3 条信息" in page
    response = _adopt(client, chosen, world.publication, issue_no="12")
    assert response.status_code == 302
    with app.app_context():
        adopted = Adoption.query.filter(Adoption.report_id.in_(ids)).all()
        assert sorted(a.report_id for a in adopted) == sorted(chosen)
        assert {(a.issue_no, a.points) for a in adopted} == {(12, 10)}
        assert {r.status for r in Report.query.filter(Report.id.in_(chosen))} == {"adopted"}
        assert db.session.get(Report, left[0]).status == "received"


def test_batch_adoption_takes_the_rest_and_names_the_one_it_cannot(app, as_role, world):
    good = _reports(app, 4, world.unit_a)
    bad = _reports(app, 1, world.unit_a, status="returned", answer_comment="需修改")
    client = as_role("staff")
    preview = client.get(f"/admin/reports/adopt/?ids={','.join(map(str, good + bad))}")
    text = preview.get_data(as_text=True)
    assert "其中 1 条不能采用" in text and "其余 4 条将被采用" in text
    assert "须由单位重新报送" in text
    # asked first, of the four only (static/ducha.js asks it)
    assert 'data-confirm="确定按所选刊物、期号和日期采用这 4 条信息？"' in text
    assert 'src="/static/ducha.js"' in text
    response = _adopt(client, good + bad, world.publication)
    page = response.get_data(as_text=True)
    assert response.status_code == 200  # the page stays, with the one left and why
    assert "已将 4 条信息记为被" in page and "；另有 1 条未采用" in page
    assert "须由单位重新报送" in page and "不能采用的信息" in page  # only the way back
    assert page.count("<tr") == 2  # the header and the one report left
    with app.app_context():
        adopted = Adoption.query.filter(Adoption.report_id.in_(good + bad)).all()
        assert sorted(a.report_id for a in adopted) == sorted(good)
        assert db.session.get(Report, bad[0]).status == "returned"


def test_batch_adoption_reads_nothing_per_report(app, as_role, world):
    client = as_role("staff")
    counts = []
    for n in (2, 6):
        ids = _reports(app, n - 1, world.unit_a)
        ids += _reports(app, 1, world.unit_a, status="returned", answer_comment="需修改")
        with count_statements(app) as preview:
            client.get(f"/admin/reports/adopt/?ids={','.join(map(str, ids))}")
        with count_statements(app) as posted:
            assert "另有 1 条未采用" in _adopt(client, ids, world.publication).get_data(
                as_text=True
            )
        counts.append((len(preview), len(posted)))
    (preview_2, posted_2), (preview_6, posted_6) = counts
    assert preview_2 == preview_6, counts
    # at most the INSERT of each adoption more (SQLite cannot batch an INSERT that returns
    # ids in order; PostgreSQL does): no reads per report
    assert posted_6 - posted_2 <= 4, counts


def test_batch_adoption_with_nothing_adoptable_adopts_nothing(app, as_role, world):
    bad = _reports(app, 2, world.unit_a, status="returned", answer_comment="需修改")
    page = _adopt(as_role("staff"), bad, world.publication).get_data(as_text=True)
    assert "未采用任何信息" in page and "须由单位重新报送" in page
    assert _adoptions(app, bad) == 0


def test_adopting_again_in_the_same_publication_is_refused(app, as_role, world):
    ids = _reports(app, 2, world.unit_a)
    client = as_role("staff")
    assert _adopt(client, ids[:1], world.publication).status_code == 302
    page = _adopt(client, ids, world.publication).get_data(as_text=True)
    assert "该信息已被该刊物采用" in page and "已将 1 条信息记为被" in page
    assert _adoptions(app, ids) == 2
    page = _adopt(client, ids, world.publication).get_data(as_text=True)
    assert "未采用任何信息" in page
    assert _adoptions(app, ids) == 2


def test_bad_adoption_input_is_refused_with_a_message(app, as_role, world):
    ids = _reports(app, 2, world.unit_a)
    client = as_role("staff")
    page = _adopt(client, ids, world.publication, issue_no="第五期").get_data(as_text=True)
    assert "不是有效的整数" in page
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    page = _adopt(client, ids, world.publication, adopted_on=tomorrow).get_data(as_text=True)
    assert "采用日期不能晚于今天" in page
    assert _adoptions(app, ids) == 0


def test_batch_adoption_cannot_reach_hidden_or_foreign_reports(app, as_role, world):
    # A unit officer has no adoption at all, and ids are re-checked against what one sees.
    client = as_role("unit")
    response = _adopt(client, [world.report_a], world.publication)
    assert response.status_code == 302
    assert _adoptions(app, [world.report_a]) == 0
    response = client.post(
        "/admin/reports/action/", data={"action": "adopt", "rowid": [world.report_a]}
    )
    assert _adoptions(app, [world.report_a]) == 0


def test_batch_answers(app, as_role, world):
    ids = _reports(app, 2, world.unit_a)
    client = as_role("staff")
    client.post("/admin/reports/action/", data={"action": "not_adopted", "rowid": ids})
    with app.app_context():
        reports = Report.query.filter(Report.id.in_(ids)).all()
        assert {r.status for r in reports} == {"not_adopted"}
        assert {r.answered_by_id for r in reports} == {world.account_ids["staff"]}


def _answer(client, report_id, status, comment=None, url=None):
    query = f"?id={report_id}" + (f"&url={url}" if url else "")
    data = {"status": status, **({"comment": comment} if comment is not None else {})}
    return client.post(f"/admin/reports/answer/{query}", data=data)


def _status(app, report_id):
    return read(app, Report, id=report_id)[0].status


def test_quick_answers_on_a_reports_page(app, as_role, world):
    staff = as_role("staff")
    details = f"/admin/reports/details/?id={world.report_a}"
    page = staff.get(details).get_data(as_text=True)
    assert 'id="answer"' in page and f'href="/admin/reports/adopt/?ids={world.report_a}"' in page
    assert all(f'value="{s}"' in page for s in ("editing", "not_adopted", "returned"))
    response = _answer(staff, world.report_a, "editing", url=details)
    assert response.status_code == 302 and response.location.endswith(details)
    (report,) = read(app, Report, id=world.report_a)
    assert (report.status, report.answered_by_id) == ("editing", world.account_ids["staff"])
    (entry,) = read(
        app, AuditEntry, table_name="reports", record_id=world.report_a, action="update"
    )
    assert entry.changes["status"] == ["received", "editing"]
    assert entry.actor == world.usernames["staff"]
    page = staff.get(details).get_data(as_text=True)
    assert 'value="not_adopted"' in page and 'value="editing"' not in page  # answered so
    refused = _answer(staff, world.report_a, "returned", comment="  ")
    assert refused.status_code == 200 and "请填写退稿原因" in refused.get_data(as_text=True)
    assert _status(app, world.report_a) == "editing"
    assert _answer(staff, world.report_a, "returned", comment="请补充数据").status_code == 302
    (report,) = read(app, Report, id=world.report_a)
    assert (report.status, report.answer_comment) == ("returned", "请补充数据")
    assert 'id="answer"' not in staff.get(details).get_data(as_text=True)  # the unit's turn


def test_a_refused_quick_answer_says_why_and_changes_nothing(app, as_role, world):
    with app.app_context():
        report = db.session.get(Report, world.report_a)
        factories.adoption(report, db.session.get(Publication, world.publication))
        report.status = "adopted"
        db.session.commit()
    staff = as_role("staff")
    for status in ("not_adopted", "adopted", "bogus"):
        response = _answer(staff, world.report_a, status)
        assert response.status_code == 200 and "alert-danger" in response.get_data(as_text=True)
        assert _status(app, world.report_a) == "adopted"
    page = _answer(staff, world.report_a, "not_adopted").get_data(as_text=True)
    assert "该信息已采用，回音不再更改" in page
    assert _adoptions(app, [world.report_a]) == 1


def test_unit_officers_and_leaders_get_no_quick_answers(app, as_role, world):
    for role in ("unit", "leader"):
        client = as_role(role)
        page = client.get(f"/admin/reports/details/?id={world.report_a}").get_data(as_text=True)
        assert 'id="answer"' not in page and "/admin/reports/answer/" not in page
        assert "/admin/reports/answer/" not in client.get("/admin/reports/").get_data(as_text=True)
        assert _answer(client, world.report_a, "not_adopted").status_code == 403
        client.post(
            "/admin/reports/action/", data={"action": "not_adopted", "rowid": [world.report_a]}
        )
        assert _status(app, world.report_a) == "received"
    # Another unit's report is not found, whatever is asked of it.
    assert _answer(as_role("unit"), world.report_b, "not_adopted").status_code == 404
    assert _status(app, world.report_b) == "received"


def test_each_list_row_offers_the_answers_its_report_may_take(app, as_role, world):
    (returned,) = _reports(app, 1, world.unit_a, status="returned", answer_comment="补充")
    (refused,) = _reports(app, 1, world.unit_a, status="not_adopted")
    staff = as_role("staff")
    page = staff.get("/admin/reports/").get_data(as_text=True)
    rows = {
        int(row_id): cells
        for row_id, cells in re.findall(
            r'name="rowid" class="action-checkbox" value="(\d+)".*?<td class="list-buttons-column">(.*?)</td>',
            page,
            re.S,
        )
    }
    assert (
        'value="editing"' in rows[world.report_a] and 'value="not_adopted"' in rows[world.report_a]
    )
    assert (
        f"/admin/reports/details/?id={world.report_a}&amp;url=/admin/reports/"
        in rows[world.report_a]
    )
    assert "/admin/reports/answer/" not in rows[refused] and "adopt/?ids=" in rows[refused]
    assert "/admin/reports/answer/" not in rows[returned] and "adopt/?ids=" not in rows[returned]
    response = _answer(staff, world.report_a, "not_adopted", url="/admin/reports/?page=0")
    assert response.status_code == 302 and response.location.endswith("/admin/reports/?page=0")
    assert _status(app, world.report_a) == "not_adopted"
    assert "已回音：未采用" in staff.get(response.location).get_data(as_text=True)


def test_batch_not_adopted_names_the_reports_it_could_not_answer(app, as_role, world):
    waiting = _reports(app, 2, world.unit_a)
    (returned,) = _reports(app, 1, world.unit_a, status="returned", answer_comment="补充")
    with app.app_context():
        title = db.session.get(Report, returned).title
    client = as_role("staff")
    response = client.post(
        "/admin/reports/action/",
        data={"action": "not_adopted", "rowid": [*waiting, returned, 2**31 - 1]},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "已回音 2 条信息：未采用" in page
    assert f"1 条未回音：该信息已退稿，待单位重新报送后再回音。 “{title}”" in page
    assert "所选信息中有 1 条未找到" in page
    assert {_status(app, i) for i in waiting} == {"not_adopted"}
    assert _status(app, returned) == "returned"
    again = client.post("/admin/reports/action/", data={"action": "not_adopted", "rowid": waiting})
    page = client.get(again.location).get_data(as_text=True)
    assert "已回音 0 条信息" in page and "2 条未回音：该信息已回音：未采用。" in page


def _edit_report(client, report_id, unit_id, status, **extra):
    return client.post(
        f"/admin/reports/edit/?id={report_id}",
        data={
            "title": "甲镇信息",
            "category": "news",
            "author": "李明",
            "unit": unit_id,
            "submitted_at": "2026-11-01 10:00:00",
            "status": status,
            **extra,
        },
    )


INSTRUCTION = {"instructions-0-leader_name": "市委书记", "instructions-0-leader_level": "city"}


def test_instruction_bonus_through_the_report_form(app, as_role, world):
    with app.app_context():
        db.session.get(Report, world.report_a).status = "adopted"
        db.session.commit()
    today = clock.today().isoformat()
    response = _edit_report(
        as_role("staff"),
        world.report_a,
        world.unit_a,
        "adopted",
        **INSTRUCTION,
        **{"instructions-0-instructed_on": today},
    )
    assert response.status_code == 302
    (instruction,) = read(app, Instruction, report_id=world.report_a)
    assert (instruction.leader_level, instruction.points) == ("city", 30)


def test_no_instruction_bonus_on_a_report_not_adopted(app, as_role, world):
    today = clock.today().isoformat()
    response = _edit_report(
        as_role("staff"),
        world.report_a,
        world.unit_a,
        "editing",
        **INSTRUCTION,
        **{"instructions-0-instructed_on": today},
    )
    assert response.status_code == 200
    assert "只有已采用的信息才能记录领导批示加分" in response.get_data(as_text=True)
    assert read(app, Instruction, report_id=world.report_a) == []


def test_marking_adopted_needs_an_adoption(app, as_role, world):
    response = _edit_report(as_role("staff"), world.report_a, world.unit_a, "adopted")
    assert response.status_code == 200
    assert "记录采用情况后" in response.get_data(as_text=True)
    assert read(app, Report, id=world.report_a)[0].status == "received"


def test_an_emergency_report_needs_its_event_time_and_late_ones_are_deducted(app, as_role, world):
    client = as_role("unit")
    data = {**REPORT, "category": "emergency"}
    page = client.post("/admin/reports/new/", data=data).get_data(as_text=True)
    assert "紧急信息须填写事件发生时间" in page
    assert read(app, Report, title=REPORT["title"]) == []
    event = clock.local(clock.now() - dt.timedelta(hours=5)).strftime("%Y-%m-%d %H:%M:%S")
    response = client.post("/admin/reports/new/", data={**data, "event_at": event})
    assert response.status_code == 302
    (report,) = read(app, Report, title=REPORT["title"])
    assert report.late
    (deduction,) = read(app, Deduction, report_id=report.id)
    assert (deduction.kind, deduction.unit_id) == ("late_emergency", world.unit_a)


def test_deductions_are_seen_by_their_unit_only_and_written_by_the_office(app, as_role, world):
    staff = as_role("staff")
    response = staff.post(
        "/admin/deductions/new/",
        data={
            "unit": world.unit_b,
            "kind": "missed_emergency",
            "reason": "漏报山体滑坡",
            "occurred_on": clock.today().isoformat(),
        },
    )
    assert response.status_code == 302
    (deduction,) = read(app, Deduction, unit_id=world.unit_b)
    assert deduction.points == 10
    unit = as_role("unit")
    assert "漏报山体滑坡" not in unit.get("/admin/deductions/").get_data(as_text=True)
    assert unit.get(f"/admin/deductions/details/?id={deduction.id}").status_code == 404
    unit.post(
        "/admin/deductions/new/",
        data={"unit": world.unit_a, "kind": "other", "reason": "自扣", "occurred_on": "2026-01-01"},
    )
    assert read(app, Deduction, unit_id=world.unit_a) == []


def test_a_deduction_for_another_units_report_is_refused(app, as_role, world):
    page = (
        as_role("staff")
        .post(
            "/admin/deductions/new/",
            data={
                "unit": world.unit_a,
                "kind": "content_error",
                "reason": "差错",
                "occurred_on": clock.today().isoformat(),
                "report": world.report_b,
            },
        )
        .get_data(as_text=True)
    )
    assert "该信息属于其他单位" in page
    assert read(app, Deduction) == []


def test_quota_list_shows_progress_at_a_constant_cost(app, as_role, world):
    year = clock.today().year
    with app.app_context():
        db.session.add(Quota(unit_id=world.unit_a, year=year, items=24, points=98))
        db.session.commit()
    client = as_role("staff")
    client.get("/admin/quotas/")
    with count_statements(app) as few:
        page = client.get("/admin/quotas/").get_data(as_text=True)
    assert "0 / 24 条 · 0 / 98 分" in page
    with app.app_context():
        pub = factories.publication(points=10)
        factories.adoption(db.session.get(Report, world.report_a), pub)
        for _ in range(20):
            unit = factories.unit()
            db.session.add(Quota(unit=unit, year=year, items=5, points=10))
        db.session.commit()
    with count_statements(app) as many:
        page = client.get("/admin/quotas/").get_data(as_text=True)
    assert "1 / 24 条 · 10 / 98 分" in page
    assert len(many) == len(few)


def test_unit_officer_sees_only_their_quota(app, as_role, world):
    year = clock.today().year
    with app.app_context():
        db.session.add(Quota(unit_id=world.unit_b, year=year, items=77, points=777))
        db.session.commit()
    assert "777" not in as_role("unit").get("/admin/quotas/").get_data(as_text=True)


def test_solicitation_to_a_group_answered_by_a_unit(app, as_role, world):
    today = clock.today()
    response = as_role("staff").post(
        "/admin/solicitations/new/",
        data={
            "topic": "今冬明春火灾防控情况",
            "description": "请报送具体措施",
            "issued_on": today.isoformat(),
            "due_on": (today + dt.timedelta(days=7)).isoformat(),
            "group": "township",
        },
    )
    assert response.status_code == 302
    (solicitation,) = read(app, Solicitation)
    with app.app_context():
        assert {u.id for u in db.session.get(Solicitation, solicitation.id).units} == {
            world.unit_a,
            world.unit_b,
        }
    unit = as_role("unit")
    assert "今冬明春火灾防控情况" in unit.get("/admin/reports/new/").get_data(as_text=True)
    response = unit.post("/admin/reports/new/", data={**REPORT, "solicitation": solicitation.id})
    assert response.status_code == 302
    details = as_role("staff").get(f"/admin/solicitations/details/?id={solicitation.id}")
    text = details.get_data(as_text=True)
    assert "按时报送" in text and "未报送" in text


def test_a_solicitation_needs_units_and_sensible_dates(app, as_role, world):
    page = (
        as_role("staff")
        .post(
            "/admin/solicitations/new/",
            data={"topic": "约稿", "issued_on": "2026-11-10", "due_on": "2026-11-01"},
        )
        .get_data(as_text=True)
    )
    assert "截止日期早于发布日期" in page and "请选择约稿单位" in page
    assert read(app, Solicitation) == []


def test_scoring_rules_are_edited_by_admins_only(app, as_role, world):
    data = {"kind": "bonus", "key": "city", "value": "35"}
    as_role("staff").post("/admin/score_rules/new/", data=data)
    assert read(app, ScoreRule) == []
    assert as_role("admin").post("/admin/score_rules/new/", data=data).status_code == 302
    assert read(app, ScoreRule)[0].value == 35
    page = (
        as_role("admin")
        .post("/admin/score_rules/new/", data={"kind": "bonus", "key": "research", "value": "5"})
        .get_data(as_text=True)
    )
    assert "该规则不适用于所选对象" in page


def test_ajax_lookup_lists_only_visible_reports_and_bad_ids_are_refused(app, as_role, world):
    staff = as_role("staff")
    found = staff.get("/admin/deductions/ajax/lookup/?name=report&query=镇").get_json()
    assert {title for _id, title in found} >= {"甲镇信息", "乙镇机密信息"}
    page = staff.post(
        "/admin/deductions/new/",
        data={
            "unit": world.unit_a,
            "kind": "content_error",
            "reason": "差错",
            "occurred_on": clock.today().isoformat(),
            "report": "not-a-number",
        },
    )
    assert page.status_code == 200
    assert "无效的选择" in page.get_data(as_text=True)
    assert read(app, Deduction) == []


def test_the_unit_page_shows_this_years_quota_progress(app, as_role, world):
    with app.app_context():
        db.session.add(Quota(unit_id=world.unit_a, year=clock.today().year, items=24, points=98))
        factories.adoption(db.session.get(Report, world.report_a), factories.publication(points=10))
        db.session.commit()
    page = as_role("unit").get(f"/admin/units/details/?id={world.unit_a}").get_data(as_text=True)
    assert "1 / 24 条 · 10 / 98 分" in page


def test_title_search_finds_chinese_substrings_and_follows_edits(app, as_role, world):
    with app.app_context():
        unit = db.session.get(Unit, world.unit_a)
        factories.report(unit, title="甲镇扎实开展秋季森林防火检查工作")
        factories.report(unit, title="甲镇召开防汛工作会议")
        db.session.commit()
    client = as_role("staff")

    def found(term):
        page = client.get(f"/admin/reports/?search={term}").get_data(as_text=True)
        return {t for t in ("秋季森林防火", "防汛工作会议", "乙镇机密信息") if t in page}

    assert found("森林防火") == {"秋季森林防火"}  # long enough for the trigram index
    assert found("防汛") == {"防汛工作会议"}  # two characters: a plain scan
    assert found("甲镇 检查") == {"秋季森林防火"}  # every word must be there
    with app.app_context():
        report = Report.query.filter(Report.title.like("%防汛%")).one()
        report.title = "甲镇召开抗旱工作会议"
        db.session.commit()
    assert found("防汛工作") == set()
    assert "抗旱工作会议" in client.get("/admin/reports/?search=抗旱工作").get_data(as_text=True)


def test_row_icons_open_every_row_and_edit_only_where_allowed(app, as_role, world):
    (returned,) = _reports(app, 1, world.unit_a, status="returned", answer_comment="补充")
    (answered,) = _reports(app, 1, world.unit_a, status="not_adopted")
    page = as_role("unit").get("/admin/reports/").get_data(as_text=True)
    for report_id in (returned, answered):
        assert f'href="/admin/reports/details/?id={report_id}&amp;url=/admin/reports/' in page
    assert f'href="/admin/reports/edit/?id={returned}&amp;url=/admin/reports/' in page
    assert (
        f"/admin/reports/edit/?id={answered}&amp;" not in page
    )  # answered: not the unit's to change
    # Where a row may be deleted, its delete form is drawn as Flask-Admin draws it.
    staff = as_role("staff").get("/admin/staff/").get_data(as_text=True)
    rows = staff.count('class="action-checkbox"')
    assert rows > 0 and staff.count('action="/admin/staff/delete/"') == rows


def test_ranking_rules_take_only_the_values_they_mean(app, as_role, world):
    admin = as_role("admin")
    before = len(read(app, ScoreRule))
    bad = {"kind": "ranking", "key": "veto_left_out", "value": "2"}
    page = admin.post("/admin/score_rules/new/", data=bad).get_data(as_text=True)
    assert "这条规则的值只能是 0 到 1。" in page and len(read(app, ScoreRule)) == before
    assert "年度排名中被一票否决的单位：0 排在最后，1 不参加排名" in page  # the key's label
    good = {"kind": "ranking", "key": "bottom_ties", "value": "5"}
    assert admin.post("/admin/score_rules/new/", data=good).status_code == 302
    assert [(r.key, r.value) for r in read(app, ScoreRule) if r.kind == "ranking"] == [
        ("bottom_ties", 5)
    ]
