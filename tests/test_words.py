"""The bigram index (models/words.py): it finds exactly what a substring match finds, keeps
up with edits, and serves every list search over titles and names and the home search."""

import re

import pytest
import sqlalchemy as sa

from models import Assignment, Directive, Report, Staff, Unit, db
from models import words as words_module
from models.search import search
from models.words import narrowed, query_words, words
from tests import factories
from tests.helpers import count_statements

TITLES = [
    "秸秆禁烧工作12",
    "扎实开展秸秆禁烧工作123",
    "关于禁止焚烧秸秆的通知",
    "禁烧",
    "第3季度防汛工作",
    "防汛抗旱2026年第1季度",
    "2026年防汛",
    "COVID-19疫情防控",
    "Covid防控abc",
    "xabcx报告",
    "ABC报告",
    "禁",
    "单位甲：防汛、禁烧",
    "百分之50%完成",
    "河长制_工作",
]
QUERIES = {
    "one character": ["禁", "汛", "报", "甲"],
    "two characters": ["禁烧", "防汛", "暴雨", "报告", "季度"],
    "three characters": ["禁烧工", "防汛抗", "秸秆禁", "焚烧秸"],
    "five characters": ["秸秆禁烧工", "第3季度防", "防汛抗旱2", "关于禁止焚"],
    "Chinese and digits": ["工作12", "2026年", "第3季", "19疫情", "作123", "6年第1季", "50%"],
    "Latin": ["abc", "ABC", "covid", "vid-1", "a", "x", "19", "Covid防控"],
}
ALL_QUERIES = [q for group in QUERIES.values() for q in group]


def test_words_are_character_pairs_and_whole_latin_words():
    assert words("秸秆禁烧工作12") == {"秸秆", "秆禁", "禁烧", "烧工", "工作", "12"}
    assert words("第3季度", "QH-CG") == {"第", "3", "季度", "qh", "cg"}
    assert words("COVID-19疫情") == {"covid", "19", "疫情"}
    assert words(None, "") == set()


def test_a_query_asks_the_index_only_for_what_every_match_holds():
    assert query_words("禁烧") == ({"禁烧"}, set())
    assert query_words("禁烧工作") == ({"禁烧", "烧工", "工作"}, set())
    assert query_words("工作12") == ({"工作"}, {"12"})  # 12 may go on: 123
    assert query_words("第3季") == ({"3"}, set())  # 第 and 季 may be inside longer runs
    assert query_words("禁") == (set(), set())
    assert query_words("abc") == (set(), set())  # may be inside a word: xabcx
    assert query_words("禁_烧毁") == ({"烧毁"}, set())  # LIKE's wildcard bounds nothing


@pytest.fixture
def titled(app):
    """A unit with a report per title, and a directive per title (its content too)."""
    with app.app_context():
        unit = factories.unit(name="测试镇", code="CS-01")
        for title in TITLES:
            factories.report(unit, title=title)
            factories.directive(unit, title=title, content=f"内容{title}")
        db.session.commit()


def _ids(query):
    return set(db.session.scalars(query))


@pytest.mark.parametrize("group", list(QUERIES))
def test_the_index_finds_exactly_what_a_substring_match_finds(app, titled, group):
    with app.app_context():
        for q in QUERIES[group]:
            for model, columns in (
                (Report, [Report.title]),
                (Directive, [Directive.number, Directive.title, Directive.content]),
                (Unit, [Unit.code, Unit.name]),
            ):
                match = sa.or_(*[c.icontains(q, autoescape=True) for c in columns])
                plain = _ids(sa.select(model.id).where(match))
                narrowing, scanned = narrowed(model, [q])
                indexed = _ids(sa.select(model.id).where(*narrowing, match))
                assert indexed == plain, (model.__name__, q)
                assert scanned == 0  # fewer rows than a scan reads: the scan saw them all
                if len(q) > 1 and any(words_module._kind(c) == "cjk" for c in q[:2]):
                    # Two CJK characters side by side: the index itself narrows.
                    assert narrowing and "id >=" not in str(narrowing[0]), q
        # Not a vacuous test: the queries find rows, and some find none.
        assert any(
            _ids(sa.select(Report.id).where(Report.title.icontains(q))) for q in QUERIES[group]
        )


def test_the_index_alone_narrows_to_the_rows_holding_the_pairs(app, titled):
    with app.app_context():
        (condition,), _ = narrowed(Report, ["禁烧"])
        titles = set(db.session.scalars(sa.select(Report.title).where(condition)))
        assert titles == {t for t in TITLES if "禁烧" in t}
        (condition,), _ = narrowed(Report, ["暴雨"])
        assert _ids(sa.select(Report.id).where(condition)) == set()


def test_an_edited_title_is_found_by_its_new_words_not_its_old(app):
    with app.app_context():
        report = factories.report(factories.unit(), title="旧的防汛信息")
        unit = factories.unit(name="老名字镇")
        db.session.commit()
        report.title = "新的禁烧信息"
        unit.name = "新名字乡"
        db.session.commit()
        report_id, unit_id = report.id, unit.id
        db.session.expunge_all()

        def through_index(model, q):
            (condition,), _ = narrowed(model, [q])
            return _ids(sa.select(model.id).where(condition))

        assert through_index(Report, "禁烧") == {report_id}
        assert through_index(Report, "防汛") == set()
        assert through_index(Unit, "名字乡") == {unit_id}
        assert through_index(Unit, "老名") == set()


def test_rows_written_outside_the_orm_get_their_words(app):
    """A Core INSERT (a bulk load, an import) writes the words from the row's values."""
    with app.app_context():
        unit = factories.unit()
        db.session.execute(
            sa.insert(Report),
            [
                {"title": "批量写入的防汛信息", "unit_id": unit.id, "category": "news"}
                | {"author": "某人", "body": ""},
            ],
        )
        db.session.commit()
        (condition,), _ = narrowed(Report, ["防汛"])
        assert len(_ids(sa.select(Report.id).where(condition))) == 1


def test_a_word_the_index_cannot_narrow_reads_the_newest_rows_and_says_so(
    app, as_role, world, monkeypatch
):
    monkeypatch.setattr(words_module, "SCAN_ROWS", 2)
    with app.app_context():
        unit = factories.unit(name="丙镇")
        old = factories.report(unit, title="很早的汛情")
        for n in range(3):
            factories.report(unit, title=f"后来的第{n}篇")
        db.session.commit()
        old_id = old.id
    client = as_role("staff")
    page = client.get("/admin/reports/?search=汛").get_data(as_text=True)
    assert "只查找了最新的 2 条记录" in page and "很早的汛情" not in page
    page = client.get("/admin/reports/?search=汛情").get_data(as_text=True)
    assert "只查找了最新的" not in page and "很早的汛情" in page
    page = client.get("/admin/search/?q=汛").get_data(as_text=True)
    assert "只查找了最新的 2 条记录" in page
    with app.app_context():
        account = db.session.get(factories.Account, world.account_ids["staff"])
        assert [r.id for r in search(account, "汛情")["reports"].rows] == [old_id]


@pytest.mark.parametrize(
    ("endpoint", "model"),
    [("reports", Report), ("directives", Directive), ("units", Unit), ("staff", Staff)],
)
def test_every_list_search_over_titles_and_names_goes_through_the_index(
    app, as_role, world, endpoint, model
):
    client = as_role("admin")
    with count_statements(app) as seen:
        assert client.get(f"/admin/{endpoint}/?search=甲镇").status_code == 200
    sql = " ".join(seen)
    marker = "@@" if db_dialect(app) == "postgresql" else f"{model.fts_table()} MATCH"
    assert marker in sql and "LIKE" in sql.upper()  # narrowed, then confirmed


def test_list_searches_find_what_they_found_before(app, as_role, world):
    client = as_role("admin")
    page = client.get("/admin/units/?search=乙镇").get_data(as_text=True)
    assert "乙镇" in page and "甲镇" not in page.split("</table>")[0].split("<tbody>")[-1]
    page = client.get("/admin/reports/?search=乙镇").get_data(as_text=True)
    assert "乙镇机密信息" in page


def test_a_confidential_directive_is_narrowed_in_but_never_found_by_its_content(
    app, as_role, world
):
    with app.app_context():
        directive = db.session.get(Directive, world.directive_b)
        directive.confidential, directive.content = True, "关于绝密事项甲乙丙的批示内容"
        db.session.commit()
        (condition,), _ = narrowed(Directive, ["绝密"])
        assert _ids(sa.select(Directive.id).where(condition)) == {world.directive_b}
    assert "乙镇批示" not in as_role("leader").get("/admin/search/?q=绝密").get_data(as_text=True)
    assert "乙镇批示" in as_role("staff").get("/admin/search/?q=绝密").get_data(as_text=True)


def db_dialect(app):
    with app.app_context():
        return db.engine.dialect.name


def test_postgresql_answers_a_two_character_search_from_the_index(app):
    if db_dialect(app) != "postgresql":
        pytest.skip("PostgreSQL's plan")
    with app.app_context():
        unit = factories.unit()
        rows = [
            {"title": f"第{n}篇{'禁烧' if n % 200 == 0 else '其他'}工作信息", "unit_id": unit.id}
            | {"category": "news", "author": "某人", "body": ""}
            for n in range(5000)
        ]
        db.session.execute(sa.insert(Report), rows)
        db.session.commit()
        # What autovacuum does for a live table: the GIN index's pending list merged in,
        # and statistics.
        db.session.execute(sa.text("SELECT gin_clean_pending_list('ix_reports_search_words')"))
        db.session.execute(sa.text("ANALYZE reports"))
        (condition,), _ = narrowed(Report, ["禁烧"])
        query = sa.select(Report.id).where(condition, Report.title.icontains("禁烧"))
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = "\n".join(db.session.scalars(sa.text(f"EXPLAIN {compiled}")))
        assert "ix_reports_search_words" in plan, plan
        assert len(_ids(query)) == 25


def _listed_assignments(client, q):
    page = client.get("/admin/assignments/", query_string={"search": q}).get_data(as_text=True)
    return {int(n) for n in re.findall(r"/admin/assignments/details/\?id=(\d+)", page)}


def test_the_assignments_search_finds_through_the_directives_index_what_a_substring_finds(
    app, titled, as_role
):
    client = as_role("admin")
    with count_statements(app) as seen:
        _listed_assignments(client, "禁烧")
    marker = "@@" if db_dialect(app) == "postgresql" else f"{Directive.fts_table()} MATCH"
    assert marker in " ".join(seen)  # narrowed through the directives' index
    found_any = False
    for q in ALL_QUERIES:
        with app.app_context():
            match = sa.or_(Directive.number.icontains(q), Directive.title.icontains(q))
            plain = _ids(sa.select(Assignment.id).join(Assignment.directive).where(match))
        assert _listed_assignments(client, q) == plain, q
        found_any = found_any or bool(plain)
    assert found_any
