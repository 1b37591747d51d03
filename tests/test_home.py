"""The home page by role, its links to the lists behind each number, and search."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from models import (
    Account,
    Directive,
    Publication,
    Quota,
    Report,
    Staff,
    Unit,
    WorkCalendar,
    clock,
    db,
    desk,
)
from models.bulletins import draft_bulletin, issue_bulletin
from models.desk import LEADER_ASSIGNMENTS
from models.directives import yellow_days
from models.periods import month
from models.ranking import standings_by_group
from tests import factories
from tests.helpers import count_statements, sent_statement


@pytest.fixture
def known(app, world):
    """A known database: waiting reports, deadlines, notices and a quota for units A and B."""
    with app.app_context():
        a, b = db.session.get(Unit, world.unit_a), db.session.get(Unit, world.unit_b)
        pub = db.session.get(Publication, world.publication)
        today = clock.today()
        for title in ("甲镇信息二", "甲镇信息三"):
            factories.report(a, title=title)
        factories.report(a, title="甲镇编辑中").answer("editing", None)
        factories.report(a, title="甲镇退稿").answer("returned", None, "请补充数据")
        adopted = factories.report(a, title="甲镇已采用", status="adopted")
        factories.adoption(adopted, pub)  # 10 points today
        factories.report(b, title="乙镇信息二")
        ids = SimpleNamespace(
            a_overdue=factories.assignment_due(a, today - dt.timedelta(days=5)).id,
            a_soon=factories.assignment_due(a, today + dt.timedelta(days=2)).id,
            a_submitted=factories.assignment_due(a, today - dt.timedelta(days=1), "submitted").id,
            a_accepted=factories.assignment_due(a, today + dt.timedelta(days=5), "accepted").id,
            b_overdue=factories.assignment_due(b, today - dt.timedelta(days=3)).id,
            b_soon=factories.assignment_due(b, today + dt.timedelta(days=7)).id,
        )
        for unit, state in ((b, "failed"), (b, "failed"), (a, "failed"), (a, "unknown")):
            factories.notice(unit, state=state, next_attempt_at=None, last_error="550")
        db.session.add(Quota(unit=a, year=today.year, items=10, points=100))
        db.session.commit()
        return ids


def numbers(page):
    """{data-key: (shown value, link)} of the numbers on a page."""
    found = {}
    pattern = r'class="ducha-number[^"]*" data-key="([^"]+)"(?: href="([^"]*)")?>([^<]*)<'
    for key, link, value in re.findall(pattern, page):
        found[key] = (value.strip(), link.replace("&amp;", "&") or None)
    return found


def values(page):
    return {key: value for key, (value, _link) in numbers(page).items()}


def listed_ids(client, url):
    """The ids of the rows a filtered list shows (each row links to its details)."""
    page = client.get(url + "&page_size=100").get_data(as_text=True)
    return set(re.findall(r"/details/\?id=(\d+)", page))


def test_office_staff_see_what_waits_and_what_is_due(app, as_role, world, known):
    client = as_role("staff")
    page = client.get("/admin/").get_data(as_text=True)
    got = values(page)
    assert got["waiting"] == "5"
    assert (got[f"waiting:{world.unit_a}"], got[f"waiting:{world.unit_b}"]) == ("3", "2")
    assert (got["due_soon"], got[f"due_soon:{world.unit_a}"], got[f"due_soon:{world.unit_b}"]) == (
        "2",
        "1",
        "1",
    )
    assert (got["overdue"], got[f"overdue:{world.unit_a}"], got[f"overdue:{world.unit_b}"]) == (
        "2",
        "1",
        "1",
    )
    assert (got["failed_notices"], got["unknown_notices"]) == ("3", "1")
    places = re.search(r'data-group="township".*?</table>', page, re.S).group(0)
    assert "甲镇" in places and "乙镇" not in places  # 10 points lead; none is no lead


def test_each_number_links_to_the_list_behind_it(app, as_role, world, known):
    client = as_role("staff")
    links = {
        k: link for k, (_v, link) in numbers(client.get("/admin/").get_data(as_text=True)).items()
    }
    with app.app_context():
        waiting = {str(r.id) for r in Report.query.filter_by(status="received")}
        waiting_a = {
            str(r.id) for r in Report.query.filter_by(status="received", unit_id=world.unit_a)
        }
    assert listed_ids(client, links["waiting"]) == waiting
    assert listed_ids(client, links[f"waiting:{world.unit_a}"]) == waiting_a
    assert listed_ids(client, links["due_soon"]) == {str(known.a_soon), str(known.b_soon)}
    assert listed_ids(client, links["overdue"]) == {str(known.a_overdue), str(known.b_overdue)}
    assert listed_ids(client, links[f"overdue:{world.unit_b}"]) == {str(known.b_overdue)}
    assert len(listed_ids(client, links["failed_notices"])) == 3


def test_a_unit_officer_sees_their_unit_and_nothing_of_another(app, as_role, world, known):
    client = as_role("unit")
    page = client.get("/admin/").get_data(as_text=True)
    got = values(page)
    assert {k: got[f"status:{k}"] for k in ("received", "editing", "adopted", "returned")} == {
        "received": "3",
        "editing": "1",
        "adopted": "1",
        "returned": "1",
    }
    assert got["this_month"] == "6"
    assert (got["light:red"], got["light:yellow"], got["light:green"]) == ("1", "1", "2")
    assert "rank" not in got and "本月排名" not in page  # the ranking is closed to units
    assert (got["quota_items"], got["quota_points"]) == ("1", "10")
    assert "乙镇" not in page and "请补充数据" in page  # the office's answer is shown
    links = {k: link for k, (_v, link) in numbers(page).items()}
    assert listed_ids(client, links["light:red"]) == {str(known.a_overdue)}
    assert len(listed_ids(client, links["this_month"])) == 6


def test_a_unit_officer_sees_the_rank_and_its_page_when_the_ranking_is_open(
    app, as_role, world, known
):
    app.config["RANKING_OPEN_TO_UNITS"] = True
    client = as_role("unit")
    page = client.get("/admin/").get_data(as_text=True)
    assert values(page)["rank"] == "1" and "10" in page
    link = numbers(page)["rank"][1]
    assert "/admin/ranking/?period=" in link
    assert client.get(link).status_code == 200  # the rank the home shows, the page opens


def test_leaders_see_the_ranking_summary_and_directive_completion(app, as_role, world, known):
    page = as_role("leader").get("/admin/").get_data(as_text=True)
    got = values(page)
    # Finished 1 (on time) of 1 + 3 overdue (a submitted result is not finished) + 4 in progress.
    assert (got["finished"], got["completion_rate"], got["on_time_rate"]) == (
        "1",
        "12.5%",
        "100.0%",
    )
    assert (got["light:red"], got["light:yellow"]) == ("2", "1")
    assert "甲镇" in page and 'data-group="township"' in page
    assert "waiting" not in got  # the office's worklist is not theirs


def test_a_leaders_overdue_are_their_todo_and_list_what_they_count(app, as_role, world, known):
    """A supporting part whose lead units have closed the directive is nobody's move: not
    counted overdue on the leader's page, and not in the list its number opens."""
    with app.app_context():
        a, b = db.session.get(Unit, world.unit_a), db.session.get(Unit, world.unit_b)
        received = clock.today() - dt.timedelta(days=40)  # both parts overdue
        directive = factories.directive(received_on=received)
        directive.hand_to(
            {a: "lead", b: "support"},
            None,
            WorkCalendar(),
            factories.rules(),
            at=clock.start_of(received),
        )
        lead, support = directive.assignments
        lead.acknowledge(None)
        lead.submit_result(None, factories.leaders(a)[0])
        lead.accept(None)
        db.session.commit()
        settled = support.id
    client = as_role("leader")
    page = client.get("/admin/").get_data(as_text=True)
    shown = numbers(page)
    assert (shown["light:red"][0], shown["light:yellow"][0]) == ("2", "1")
    assert shown["light:red"] == shown["todo:red"] and shown["light:yellow"] == shown["todo:yellow"]
    red = listed_ids(client, shown["light:red"][1])
    assert red == {str(known.a_overdue), str(known.b_overdue)} and str(settled) not in red
    assert listed_ids(client, shown["light:yellow"][1]) == {str(known.a_soon)}


def _plan_of(marker, run):
    """PostgreSQL's plan of the statement holding `marker` that `run()` sends, with its
    parameters bound as the app binds them (sequential scans off: a few test rows)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's plan")
    result, (statement, params) = sent_statement(marker, run)
    db.session.commit()
    with db.engine.connect() as autocommit:  # the visibility map, as autovacuum keeps it
        autocommit.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "VACUUM assignments"
        )
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, params))
    db.session.rollback()
    return result, plan


def test_postgresql_counts_the_deadlines_from_the_index_of_the_waiting(app, world, known):
    """The office's deadlines read the index of the assignments waiting on their units
    (partial, by due date and unit): the statement's conditions imply the index's."""
    from models.today import deadlines

    with app.app_context():
        counted, plan = _plan_of(
            "due_soon", lambda: deadlines(factories.account("staff"), clock.today(), 7)
        )
        assert (counted["overdue"].total, counted["due_soon"].total) == (2, 2)
        # Only through it (read index-only once the table is vacuumed, as in a province).
        assert "ix_assignments_waiting_due" in plan and "ix_assignments_status" not in plan, plan


def test_postgresql_reads_a_leaders_lights_from_the_index_of_the_waiting(app, world, known):
    """A leader's red and yellow are counted, and their first items found, from the index
    of the assignments waiting on their units alone: it carries every column of their
    light, so the plan reads no table row but the few items listed (26,000 in a province:
    half the statement's time)."""
    with app.app_context():
        leader = factories.account("leader")
        todos, plan = _plan_of(
            "WITH counts", lambda: desk.todos(leader, clock.today(), 2, None, yellow_days())
        )
        counts = {todo.kind: todo.count for todo in todos if todo.kind in LEADER_ASSIGNMENTS}
        assert counts == {"red": 2, "yellow": 1}
        counting = _subplan(plan, "CTE counts")
        assert "Index Only Scan using ix_assignments_waiting_due" in counting[1], plan
        # The counts and each light's first items: three reads of the index, no other.
        # A supporting part settled by its lead units is told by its own row
        # (`leads_done`), not by looking up the lead units through another index.
        scans = [line for line in plan.splitlines() if " on assignments " in line]
        waiting = [
            line for line in scans if "Index Only Scan using ix_assignments_waiting_due" in line
        ]
        assert len(waiting) == 3, plan
        assert all("using pk_assignments" in line for line in scans if line not in waiting), plan


def _subplan(plan, node):
    """The lines of `plan` under its line `node` (those indented deeper)."""
    lines = plan.splitlines()
    start = next(n for n, line in enumerate(lines) if line.strip() == node)
    depth = len(lines[start]) - len(lines[start].lstrip())
    below = []
    for line in lines[start + 1 :]:
        if len(line) - len(line.lstrip()) <= depth:
            break
        below.append(line)
    return below


def _bottom_of(page, group):
    """The unit names marked at the bottom of last month in the group's card."""
    card = page.split(f'data-group="{group}"')[1].split('class="col-md-4')[0]
    return re.findall(r'class="ducha-bottom table-warning"><td>\d+</td><td>([^<]+)<', card)


def test_last_months_bottom_places_are_the_issued_bulletins(app, as_role, world):
    """Once the office has issued a group's bulletin of last month, the home page's bottom
    places of that group are the bulletin's, as issued: a late change to last month's
    records moves the ranking, not what was filed. Without a bulletin, the ranking's."""
    with app.app_context():
        today = clock.today()
        last = month(today.replace(day=1) - dt.timedelta(days=1))
        b = db.session.get(Unit, world.unit_b)
        on = last.start + dt.timedelta(days=9)

        def adopted(unit, points):
            report = factories.report(unit, submitted_at=clock.start_of(on))
            factories.adoption(report, factories.publication(points=points), adopted_on=on)

        for n, points in enumerate((10, 8, 6, 4)):
            adopted(factories.unit(name=f"丁{n}镇", code=f"D{n}"), points)
        db.session.commit()
    client = as_role("leader")
    first = client.get("/admin/").get_data(as_text=True)
    before = _bottom_of(first, "township")
    assert sorted(before) == sorted(["丁3镇", "甲镇", "乙镇"])  # 4, 0 and 0 points
    card = first.split('data-group="township"')[1].split('class="col-md-4')[0]
    assert "（按当前排名，尚未印发通报）" in card  # recounted, and it says so
    assert card.count("<table") == 1  # both months' places share the columns
    with app.app_context():
        staff = db.session.get(Account, world.account_ids["staff"])
        number = issue_bulletin(draft_bulletin(last, "township", staff), staff).number_text
        adopted(db.session.merge(b), 30)  # late: B leads last month now
        db.session.commit()
        recounted = standings_by_group(last)["township"]
        assert [r.unit for r in recounted if r.bottom] == ["丁2镇", "丁3镇", "甲镇"]
    with count_statements(app) as seen:
        page = client.get("/admin/").get_data(as_text=True)
    assert _bottom_of(page, "township") == before
    card = page.split('data-group="township"')[1].split('class="col-md-4')[0]
    assert f"（据{number}通报）" in card and "尚未印发通报" not in card
    # The to-do lists the same bulletin, from the one read of them both.
    assert number in page.split('data-kind="bulletin"')[1].split("</ul>")[0]
    assert len([s for s in seen if "FROM bulletins" in s]) == 1


@pytest.mark.parametrize("role", ["admin", "staff", "unit", "leader"])
def test_the_home_page_costs_the_same_statements_as_data_grows(app, as_role, world, known, role):
    client = as_role(role)
    client.get("/admin/")  # warm up
    with count_statements(app) as few:
        assert client.get("/admin/").status_code == 200
    with app.app_context():
        a = db.session.get(Unit, world.unit_a)
        pub = db.session.get(Publication, world.publication)
        today = clock.today()
        for n in range(15):
            unit = factories.unit()
            for u in (unit, a):
                factories.adoption(factories.report(u), pub)
                factories.report(u, status="editing").answer("not_adopted", None, "不采用")
                factories.report(u)  # waiting for an answer
                factories.report(u, status="editing").answer("returned", None, "请补充")
                factories.assignment_due(u, today + dt.timedelta(days=n % 9 - 3))
            factories.notice(unit, state="failed", next_attempt_at=None)
        db.session.commit()
    with count_statements(app) as many:
        assert client.get("/admin/").status_code == 200
    assert len(many) == len(few), f"{role}: {len(few)} statements, then {len(many)}"
    assert len(many) <= 16, many


# ---- search ----


def found(client, text):
    """{kind: [shown text]} of a search."""
    page = client.get("/admin/search/", query_string={"q": text}).get_data(as_text=True)
    result = {}
    for kind, block in re.findall(r'data-kind="(\w+)">(.*?)</ul>', page, re.S):
        result[kind] = [
            re.sub(r"\s+", " ", t).strip()
            for t in re.findall(r'<a href="[^"]*details[^"]*">(.*?)</a>', block, re.S)
        ]
    return result


def test_search_finds_every_kind_by_name_code_number_and_title_words(app, as_role, world):
    client = as_role("staff")
    with app.app_context():
        number = db.session.get(Directive, world.directive_a).number
        email = db.session.get(Staff, world.staff_a).email
    assert found(client, "乙镇") == {
        "units": ["B 乙镇"],
        "reports": ["乙镇机密信息"],
        "directives": [f"{db_number(app, world.directive_b)} 乙镇批示"],
    }
    assert found(client, number)["directives"] == [f"{number} 甲镇批示"]
    assert list(found(client, email)) == ["staff"]
    assert found(client, "甲镇 批示") == {"directives": [f"{number} 甲镇批示"]}
    assert found(client, "%") == {} and found(client, "") == {}


def db_number(app, directive_id):
    with app.app_context():
        return db.session.get(Directive, directive_id).number


def test_search_keeps_within_what_the_person_may_see(app, as_role, world):
    assert found(as_role("unit"), "乙镇") == {}
    assert list(found(as_role("unit"), "甲镇")) == ["units", "reports", "directives"]


def test_a_confidential_directive_never_answers_by_its_content(app, as_role, world):
    with app.app_context():
        directive = db.session.get(Directive, world.directive_b)
        directive.confidential, directive.content = True, "关于绝密事项甲乙丙的批示内容"
        db.session.commit()
    assert "directives" in found(as_role("staff"), "绝密事项")
    assert found(as_role("leader"), "绝密事项") == {}
    assert found(as_role("unit"), "绝密事项") == {}  # unit A: not assigned
    page = as_role("leader").get("/admin/search/?q=乙镇批示").get_data(as_text=True)
    assert "乙镇批示" in page and "绝密事项" not in page  # its title, never its content


def test_search_costs_the_same_statements_as_data_grows(app, as_role, world):
    client = as_role("staff")
    client.get("/admin/search/?q=镇")
    with count_statements(app) as few:
        client.get("/admin/search/?q=镇")
    with app.app_context():
        for _ in range(12):
            unit = factories.unit(name="新镇")
            factories.staff(unit)
            factories.report(unit, title="新镇信息")
            factories.directive(unit, title="新镇批示")
        db.session.commit()
    with count_statements(app) as many:
        page = client.get("/admin/search/?q=镇").get_data(as_text=True)
    assert len(many) == len(few) and "在列表中查看更多" in page


def test_a_count_by_unit_totals_every_unit_and_lists_the_most_first():
    from models.today import UNIT_ROWS, _by_unit

    rows = [(n, f"单位{n:02d}", n % 4, 0 if n % 3 else 2) for n in range(1, 31)]
    counted = _by_unit(rows, ["due_soon", "overdue"])
    assert counted["due_soon"].total == sum(n % 4 for n in range(1, 31))
    assert counted["overdue"].total == 2 * len([n for n in range(1, 31) if n % 3 == 0])
    listed = [(line.counts["due_soon"], line.name) for line in counted["due_soon"].units]
    assert len(listed) == UNIT_ROWS and all(count for count, _name in listed)
    expected = sorted(((n % 4, f"单位{n:02d}") for n in range(1, 31)), key=lambda c: (-c[0], c[1]))
    assert listed == expected[:UNIT_ROWS]
    assert [line.unit_id for line in counted["overdue"].units] == [
        3,
        6,
        9,
        12,
        15,
        18,
        21,
        24,
        27,
        30,
    ]
    assert counted["overdue"].units[0].counts == {"due_soon": 3, "overdue": 2}
