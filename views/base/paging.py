"""Counting and paging a list at a million rows.

Flask-Admin counts every list exactly and pages with OFFSET: at a million rows that is a
full count on every page view and a scan of every row before a deep page. Here a list is
counted exactly only while that is cheap (up to `EXACT_UP_TO` rows) and estimated beyond
(the page says so): from the planner on PostgreSQL (a table's estimate read once a minute);
on SQLite, which has no planner estimate, the exact count of a long list is kept for
`COUNT_KEPT_SECONDS` and shown as an estimate meanwhile (rows may have come or gone since).
A page in the second half is read from the end, in reverse order, so the last page costs
what the first does.
"""

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from models import db
from views.base.cache import cache

EXACT_UP_TO = 10_000
SORT_UP_TO = 2_000  # a search matching at most this many: its rows sorted (sorted_not_walked)
WALK_UP_TO = 500  # a frequent word's first rows on SQLite: walked to (walked_not_narrowed)
DIRECTIONS = (operators.asc_op, operators.desc_op)
COUNT_KEPT_SECONDS = 60
COUNTS_KEPT_AT_MOST = 500


class Estimate(int):
    """A row count that is an estimate: arithmetic as an int, shown as "约1,234,000".
    Close to the count (a table's own statistics, a count kept a minute): a page in the
    list's second half is read from its end."""

    near = True

    def __str__(self):
        return gettext("about %(count)s", count=f"{int(self):,}")


class PlanEstimate(Estimate):
    """The planner's guess at a filtered list's rows: it multiplies the conditions' guessed
    shares (a search's words and their substring test: 4,000 rows where 66,000 match), so
    no page is placed from the list's end by it."""

    near = False


class MoreThan(Estimate):
    """More rows than were counted, where the planner guesses fewer: "超过10,000" (the
    count is the one past them, so the pager offers their pages and one more)."""

    near = False

    def __str__(self):
        return gettext("more than %(count)s", count=f"{int(self) - 1:,}")


def count_rows(query, table_name, filtered):
    """The rows of a list query: exact when few, otherwise a cheap estimate."""
    base = query.enable_eagerloads(False).order_by(None)
    if db.engine.dialect.name == "postgresql":
        return _postgresql_count(base, table_name, filtered)
    return _sqlite_count(base)


def _postgresql_count(base, table_name, filtered):
    if not filtered:
        estimate = _table_estimate(table_name)
        if estimate > EXACT_UP_TO:
            return Estimate(estimate)
    capped = _capped_count(base)
    if capped <= EXACT_UP_TO:
        return capped
    estimate = _plan_estimate(base)
    return PlanEstimate(estimate) if estimate > EXACT_UP_TO else MoreThan(EXACT_UP_TO + 1)


def _sqlite_count(base):
    full = sa.select(sa.func.count()).select_from(base.subquery())
    key = _count_key(full)
    counts = cache("list count", COUNTS_KEPT_AT_MOST, COUNT_KEPT_SECONDS)
    count = counts.peek(key)
    if count is not None:
        return Estimate(count)
    capped = _capped_count(base)
    if capped <= EXACT_UP_TO:
        return capped
    return counts.put(key, db.session.scalar(full))


def _count_key(statement):
    """What a kept count is kept by: the statement's shape and values as SQLAlchemy's own
    statement cache tells them (its cache key, a tenth of the cost of compiling the
    statement, which a kept count would else pay on every page); the compiled text where
    the statement has no cache key."""
    key = statement._generate_cache_key()
    if key is None:
        compiled = statement.compile(db.engine)
        return str(compiled), repr(sorted(compiled.params.items()))
    return key.key, repr([bind.effective_value for bind in key.bindparams])


def _capped_count(base):
    """The rows, counted up to one past EXACT_UP_TO."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(base.limit(EXACT_UP_TO + 1).subquery())
    )


def _table_estimate(table_name):
    """The planner's row count of a table, read at most once a `COUNT_KEPT_SECONDS` (it
    changes only when the table is vacuumed or analysed): a statement less a list page."""
    estimates = cache("table estimate", 64, COUNT_KEPT_SECONDS)
    return estimates.get(table_name, lambda: _read_estimate(table_name))


def _read_estimate(table_name):
    rows = db.session.scalar(
        sa.text("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(:name)"),
        {"name": table_name},
    )
    return int(rows or 0)


def _plan_estimate(query):
    statement = query.statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = db.session.execute(sa.text(f"EXPLAIN (FORMAT JSON) {statement}")).scalar()
    return int(plan[0]["Plan"]["Plan Rows"])


def few_to_sort(count):
    return not isinstance(count, Estimate) and count <= SORT_UP_TO


def walked_not_narrowed(count, rows):
    """Whether a search matching `count` rows finds its first `rows` (a page near the top)
    sooner by walking the list's order than through the bigram index (SQLite).

    SQLite reads a search's index as a list of row ids to fetch: for a frequent word
    (`禁烧`, 66,000 reports of a million) it fetches and sorts every one for a page of 20,
    150 ms. Walking the date index back and testing each title finds the 20 in some 300
    rows. Only where the word is frequent (more than EXACT_UP_TO rows, at least one in a
    hundred of a million) and the page near the top (WALK_UP_TO rows): PostgreSQL weighs
    the two plans itself."""
    return db.engine.dialect.name == "sqlite" and count > EXACT_UP_TO and rows <= WALK_UP_TO


def sorted_not_walked(query):
    """The same order on keys no index serves (`coalesce(key, key)`): the few rows a search
    matches are then found through the search's own index and sorted, not walked to in an
    index's order.

    PostgreSQL guesses that a title's trigrams match about 1% of the table, 10,000 reports
    of a million where a search matched 758; it then walks the date index back, testing
    each report's title, until it has a page: 21,000 rows and 51 ms, against 3 ms for
    finding the 758 and sorting them. For a search matching thousands the walk is the
    better plan, so this is for few rows only (`SORT_UP_TO`).
    """
    return _reordered(query, key_of=lambda key: sa.func.coalesce(key, key))


def reversed_order(query):
    """The same query ordered the other way round (ASC <-> DESC) on every key."""
    return _reordered(query, flip=True)


def _reordered(query, key_of=lambda key: key, flip=False):
    """The query ordered by `key_of` each of its keys, the other way round if `flip`."""
    keys = []
    for clause in query._order_by_clauses:
        key, desc = clause, False  # a bare key sorts ascending
        if isinstance(clause, UnaryExpression) and clause.modifier in DIRECTIONS:
            key, desc = clause.element, clause.modifier is operators.desc_op
        key = key_of(key)
        keys.append(key.desc() if desc != flip else key.asc())
    return query.order_by(None).order_by(*keys)


def page_rows(query, page, page_size, count):
    """The rows of page `page`; from the end of the list for a page in its second half,
    where the count is exact or near it (an estimate that is a guess would place the page
    at the wrong rows)."""
    offset = page * page_size
    near = count is not None and getattr(count, "near", True)
    if not near or offset <= count / 2 or not query._order_by_clauses:
        return query.limit(page_size).offset(offset).all()
    from_end = count - offset - page_size
    if page_size + min(0, from_end) <= 0:
        return []  # a page past the end of the list
    rows = reversed_order(query).limit(page_size + min(0, from_end)).offset(max(0, from_end)).all()
    rows.reverse()
    return rows
