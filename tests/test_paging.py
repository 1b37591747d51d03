"""Counting and paging lists at any size: pages cover every row once, deep pages are read
from the end, and big lists show an estimate instead of counting every row."""

import re

import pytest
import sqlalchemy as sa

from models import Report, Unit, clock, db
from tests import factories
from tests.helpers import count_statements
from views.base import paging


def _titles(page_html):
    return re.findall(r"甲镇第(\d+)条", page_html)


@pytest.fixture
def many_reports(app, world):
    """45 reports of unit A submitted at the very same instant: only the id orders them."""
    with app.app_context():
        unit = db.session.get(Unit, world.unit_a)
        instant = clock.now()
        for n in range(45):
            factories.report(unit, title=f"甲镇第{n:02d}条", submitted_at=instant)
        db.session.commit()


def test_pages_cover_every_row_once_even_when_the_sort_ties(as_role, many_reports):
    client = as_role("staff")
    seen = []
    for page in range(3):
        seen += _titles(
            client.get(f"/admin/reports/?page={page}&search=甲镇第").get_data(as_text=True)
        )
    assert sorted(seen) == [f"{n:02d}" for n in range(45)]


def test_a_deep_page_read_from_the_end_holds_the_same_rows(app, as_role, many_reports):
    client = as_role("staff")
    last = _titles(client.get("/admin/reports/?page=2&search=甲镇第").get_data(as_text=True))
    assert last == ["04", "03", "02", "01", "00"]  # newest first, ties by id, descending
    with app.app_context():
        query = Report.query.filter(Report.title.like("甲镇第%")).order_by(
            Report.submitted_at.desc(), Report.id.desc()
        )
        naive = [r.title[3:5] for r in query.offset(40).limit(20)]
        from_end = [r.title[3:5] for r in paging.page_rows(query, 2, 20, 45)]
    assert from_end == naive == last


def _search_pages(app, client):
    """Each page of a search's list, and the statement that read its rows."""
    pages, orders = [], []
    for page in range(3):
        with count_statements(app) as statements:
            html = client.get(f"/admin/reports/?page={page}&search=甲镇第").get_data(as_text=True)
        pages.append(_titles(html))
        orders += [
            s.split("ORDER BY")[1] for s in statements if "ORDER BY" in s and "FROM reports" in s
        ]
    return pages, orders


def test_a_search_matching_few_rows_sorts_them_in_the_same_order(
    app, as_role, many_reports, monkeypatch
):
    client = as_role("staff")
    sorted_pages, sorted_orders = _search_pages(app, client)
    monkeypatch.setattr(paging, "SORT_UP_TO", 10)  # 45 matches: too many to sort now
    walked_pages, walked_orders = _search_pages(app, client)
    assert sorted_pages == walked_pages
    assert [len(p) for p in sorted_pages] == [20, 20, 5]
    assert sorted_orders and all("coalesce(" in order for order in sorted_orders)
    assert walked_orders and not any("coalesce(" in order for order in walked_orders)


def test_a_frequent_word_is_walked_to_on_sqlite_near_the_top(
    app, as_role, many_reports, monkeypatch
):
    """SQLite finds the first pages of a word in more than EXACT_UP_TO rows by walking the
    list's order, not by fetching every match through the bigram index; deeper pages keep
    the index, and so does PostgreSQL (its planner weighs the two). The pages hold the
    same rows either way."""
    client = as_role("staff")

    def pages():
        found, narrowed = [], []
        for page in range(3):
            with count_statements(app) as statements:
                url = f"/admin/reports/?page={page}&search=甲镇"
                found.append(_titles(client.get(url).get_data(as_text=True)))
            (listed,) = [s for s in statements if "ORDER BY" in s and "FROM reports" in s]
            narrowed.append(" MATCH " in listed or "@@" in listed)
        return found, narrowed

    through_index, narrowed = pages()
    assert narrowed == [True, True, True]
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            assert not paging.walked_not_narrowed(10**6, 20)
            return
    monkeypatch.setattr(paging, "EXACT_UP_TO", 10)  # 45 matches: frequent now
    monkeypatch.setattr(paging, "SORT_UP_TO", 5)  # below EXACT_UP_TO, as they stand
    monkeypatch.setattr(paging, "WALK_UP_TO", 40)  # pages 0 and 1 are near the top
    walked, narrowed = pages()
    assert walked == through_index and [len(p) for p in walked] == [20, 20, 5]
    assert narrowed == [False, False, True]


def test_small_lists_are_counted_exactly(as_role, many_reports):
    page = as_role("staff").get("/admin/reports/?search=甲镇第").get_data(as_text=True)
    assert "(45)" in page and "约" not in page.split("(45)")[0][-20:]


def test_big_lists_show_an_estimate(app, as_role, many_reports, monkeypatch):
    monkeypatch.setattr(paging, "EXACT_UP_TO", 10)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE reports")
        count = paging.count_rows(Report.query, "reports", filtered=False)
        filtered = paging.count_rows(Report.query.filter(Report.unit_id == -1), "reports", True)
    assert filtered == 0 and not isinstance(filtered, paging.Estimate)
    if isinstance(count, paging.Estimate):  # PostgreSQL: the planner's statistics
        assert int(count) > 10
        page = as_role("staff").get("/admin/reports/").get_data(as_text=True)
        assert "约" in page
    else:  # SQLite: counted exactly, then that count kept a while and shown as an estimate
        assert count == 47 and not isinstance(count, paging.Estimate)
        with count_statements(app) as seen, app.app_context():
            kept = paging.count_rows(Report.query, "reports", filtered=False)
        assert isinstance(kept, paging.Estimate) and kept == 47 and seen == []
        staff = as_role("staff")
        assert "约47" not in staff.get("/admin/reports/").get_data(as_text=True)  # counted
        assert "约47" in staff.get("/admin/reports/").get_data(as_text=True)  # then kept
        monkeypatch.setattr(paging, "COUNT_KEPT_SECONDS", 0)
        with app.app_context():
            again = paging.count_rows(Report.query, "reports", filtered=False)
        assert again == 47 and not isinstance(again, paging.Estimate)


def test_a_search_counted_past_the_cap_says_more_than_and_pages_by_offset(
    app, as_role, many_reports, monkeypatch
):
    """PostgreSQL guesses a search's rows from its conditions' shares, far below what it
    matches (4,000 where 66,000 reports hold 禁烧). Counted past the cap, the list says
    "more than" the cap rather than "about" a guess, and places no page by the guess: each
    page holds the rows OFFSET finds, none twice, none left out."""
    monkeypatch.setattr(paging, "EXACT_UP_TO", 10)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite counts a long list exactly")
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE reports")  # its statistics, as in a province
    staff = as_role("staff")
    pages = [
        _titles(staff.get(f"/admin/reports/?search=甲镇第&page={n}").get_data(as_text=True))
        for n in range(3)
    ]
    first = staff.get("/admin/reports/?search=甲镇第").get_data(as_text=True)
    tab = first.split('class="nav-link active">')[1].split("</a>")[0]
    assert tab == "列表 (超过10)", tab
    assert [len(p) for p in pages] == [20, 20, 5]
    assert sorted(sum(pages, [])) == [f"{n:02d}" for n in range(45)]
    with app.test_request_context():
        assert str(paging.MoreThan(10_001)) == "超过10,000"
        assert str(paging.Estimate(66_152)) == "约66,152"


def test_postgresql_reads_a_tables_estimate_once_a_while(app, many_reports, monkeypatch):
    monkeypatch.setattr(paging, "EXACT_UP_TO", 10)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("only PostgreSQL has the planner's estimate")
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE reports")
        with count_statements(app) as first:
            count = paging.count_rows(Report.query, "reports", filtered=False)
        with count_statements(app) as second:
            again = paging.count_rows(Report.query, "reports", filtered=False)
        monkeypatch.setattr(paging, "COUNT_KEPT_SECONDS", 0)
        with count_statements(app) as third:
            paging.count_rows(Report.query, "reports", filtered=False)
    assert isinstance(count, paging.Estimate) and again == count
    assert ["pg_class" in s for s in first] == [True]
    assert second == [] and ["pg_class" in s for s in third] == [True]


def test_a_kept_value_is_made_again_once_it_is_old(app):
    from views.base.cache import Cache

    made = []
    fresh = Cache(maxsize=10, seconds=60)
    assert [fresh.get("k", lambda: made.append(1) or len(made)) for _ in range(2)] == [1, 1]
    stale = Cache(maxsize=10, seconds=0)
    assert [stale.get("k", lambda: made.append(1) or len(made)) for _ in range(2)] == [2, 3]
    small = Cache(maxsize=1)
    small.put("a", 1), small.put("b", 2)
    assert (small.peek("a"), small.peek("b")) == (None, 2)


def test_sqlite_keeps_a_bounded_number_of_counts(app, many_reports, monkeypatch):
    monkeypatch.setattr(paging, "EXACT_UP_TO", 10)
    monkeypatch.setattr(paging, "COUNTS_KEPT_AT_MOST", 1)
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("only SQLite keeps counts (PostgreSQL asks its planner)")
        paging.count_rows(Report.query, "reports", filtered=False)
        paging.count_rows(Report.query.filter(Report.unit_id > 0), "reports", True)
        assert len(app.extensions["ducha_caches"]["list count"].store) == 1
        again = paging.count_rows(Report.query, "reports", filtered=False)
    assert again == 47 and not isinstance(again, paging.Estimate)  # the first was let go


def test_a_kept_count_is_kept_by_the_statements_shape_and_values(app):
    """The key a count is kept by (SQLAlchemy's statement cache key and its bound values,
    `_generate_cache_key`, not a public API): equal for the same list, different for any
    other word, filter value, list of values or column. An upgrade of SQLAlchemy that
    changed what the key holds fails here rather than show one list's count on another."""

    def key(*where):
        return paging._count_key(sa.select(sa.func.count()).select_from(Report).where(*where))

    with app.app_context():
        same = key(Report.title.contains("防汛"), Report.unit_id.in_([1, 2]))
        assert same == key(Report.title.contains("防汛"), Report.unit_id.in_([1, 2]))
        others = [
            key(Report.title.contains("禁烧"), Report.unit_id.in_([1, 2])),
            key(Report.title.contains("防汛"), Report.unit_id.in_([1, 3])),
            key(Report.title.contains("防汛"), Report.unit_id.in_([1, 2, 3])),
            key(Report.author.contains("防汛"), Report.unit_id.in_([1, 2])),
            key(Report.title.contains("防汛"), Report.unit_id.in_([1, 2]), Report.id > 5),
        ]
        assert len({same, *others}) == 1 + len(others)


def test_estimate_behaves_as_a_number(app):
    estimate = paging.Estimate(1234567)
    with app.test_request_context():
        assert str(estimate) == "约1,234,567" and estimate // 20 == 61728


def test_a_page_past_the_end_is_empty_not_an_error(as_role, many_reports):
    client = as_role("staff")
    for page in (3, 10, 1000):
        response = client.get(f"/admin/reports/?page={page}&search=甲镇第")
        assert response.status_code == 200
        assert _titles(response.get_data(as_text=True)) == []
