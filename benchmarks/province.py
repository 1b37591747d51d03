"""A deterministic synthetic province for benchmarks: thousands of units, a million reports.

Rows go in with bulk inserts (COPY on PostgreSQL, executemany on SQLite), outside the
ORM: minutes, not hours, and no audit trail for synthetic data.
"""

import datetime as dt
import random

import sqlalchemy as sa

from models import Directive, Report, Staff, Unit, clock, db, rollup
from models.words import stored, words

BENCH_PREFIX = "BENCH-"
CHUNK = 20_000
WORDS = [
    "防汛",
    "秸秆禁烧",
    "安全生产",
    "招商引资",
    "乡村振兴",
    "营商环境",
    "基层减负",
    "信访化解",
    "人居环境",
    "民生实事",
    "项目建设",
    "疫情防控",
    "森林防火",
    "河长制",
    "文明城市",
]
SEARCHABLE = {model.__tablename__: model for model in (Report, Directive, Unit, Staff)}
ACTIONS = ["扎实开展", "多措并举推进", "创新机制抓好", "强化责任落实", "聚焦重点突破"]
CATEGORIES = [
    "news",
    "news",
    "news",
    "comprehensive",
    "research",
    "problem",
    "sentiment",
    "experience",
]
STATUSES = ["received", "editing", "adopted", "adopted", "not_adopted"]


class RealDataError(RuntimeError):
    """The database holds records that are not benchmark data."""


def check_empty_or_bench():
    """Refuse to touch a database that holds real units."""
    real = db.session.scalar(sa.select(sa.func.count()).where(~Unit.code.startswith(BENCH_PREFIX)))
    db.session.rollback()  # on SQLite an open transaction would hold the write lock
    if real:
        raise RealDataError(f"the database holds {real} real units; use --force to wipe it")


def wipe():
    """Empty every table (benchmark databases only)."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            for table in tables:
                conn.exec_driver_sql(f"DELETE FROM {table}")


def _copy(conn, table, columns, rows):
    """Insert many rows: COPY on PostgreSQL, executemany elsewhere (with a searchable
    table's index words, written from the row's fields as the model writes them)."""
    rows = list(rows)
    if not rows:
        return
    model = SEARCHABLE.get(table)
    if model is not None:
        at = [columns.index(name) if name in columns else None for name in model.search_fields]
        rows = [
            (*row, stored(words(*(None if i is None else row[i] for i in at)), conn.dialect.name))
            for row in rows
        ]
        columns = [*columns, "search_words"]
    if conn.dialect.name == "postgresql":
        raw = conn.connection.dbapi_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join("?" for _ in columns)
    conn.connection.dbapi_connection.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
        [tuple(_sqlite_value(v) for v in row) for row in rows],
    )


def _sqlite_value(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def build(units=2000, reports=1_000_000, directives=100_000, seed=1, today=None, progress=print):
    """Fill the (empty) database with a province; returns what was made."""
    rng = random.Random(seed)
    today = today or clock.today()
    start = today - dt.timedelta(days=3 * 365)
    with db.engine.begin() as conn:
        unit_ids = _units(conn, units, rng)
        progress(f"{len(unit_ids)} units")
        pub_points = _publications(conn)
        _reports(conn, unit_ids, reports, start, today, pub_points, rng, progress)
        _directives(conn, unit_ids, directives, start, today, rng, progress)
    with db.engine.begin() as conn:
        progress(f"monthly roll-up: {rollup.rebuild(conn)} months")
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does for a live database: statistics, and a visibility map so
        # that index-only scans need not visit the table.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
            # Write out what loading dirtied now, not while the pages are being measured
            # (measured straight after a build, list pages took twice as long).
            try:
                conn.exec_driver_sql("CHECKPOINT")
            except sa.exc.DBAPIError as error:  # needs superuser or pg_checkpoint
                progress(f"no checkpoint after the build: {error.orig}")
    else:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return {"units": units, "reports": reports, "directives": directives}


def _units(conn, count, rng):
    kinds = [
        ("township", "township"),
        ("county_dept", "department"),
        ("county", "county"),
        ("city_dept", "department"),
    ]
    rows = []
    for n in range(1, count + 1):
        kind, group = kinds[0] if n % 3 else rng.choice(kinds)
        rows.append(
            (
                n,
                f"{BENCH_PREFIX}{n:05d}",
                f"第{n}号单位",
                kind,
                group,
                True,
                dt.date(2000, 1, 1),
                f"u{n}.head@bench.example",
            )
        )
    _copy(
        conn,
        "units",
        [
            "id",
            "code",
            "name",
            "kind",
            "ranking_group",
            "active",
            "created_on",
            "principal_leader_email",
        ],
        rows,
    )
    _reset_sequence(conn, "units")
    return [row[0] for row in rows]


def _publications(conn):
    specs = [
        ("县级信息简报", "county", 3),
        ("市委《快讯》正刊", "city", 10),
        ("市委《快讯》增刊", "city", 6),
        ("省委办公厅《每日汇报》", "province", 20),
        ("中办《信息综合》", "central", 50),
    ]
    _copy(
        conn,
        "publications",
        ["id", "name", "level", "edition", "points", "active"],
        [
            (n, name, level, "main", points, True)
            for n, (name, level, points) in enumerate(specs, 1)
        ],
    )
    _reset_sequence(conn, "publications")
    return {n: points for n, (_name, _level, points) in enumerate(specs, 1)}


def _reports(conn, unit_ids, count, start, today, pub_points, rng, progress):
    days = (today - start).days
    report_id = adoption_id = 0
    while report_id < count:
        reports, adoptions = [], []
        for _ in range(min(CHUNK, count - report_id)):
            report_id += 1
            unit = rng.choice(unit_ids)
            day = start + dt.timedelta(days=rng.randrange(days + 1))
            submitted = clock.start_of(day) + dt.timedelta(minutes=rng.randrange(480, 1080))
            status = rng.choice(STATUSES)
            title = f"第{unit}号单位{rng.choice(ACTIONS)}{rng.choice(WORDS)}工作{report_id}"
            reports.append(
                (
                    report_id,
                    title,
                    "",
                    rng.choice(CATEGORIES),
                    unit,
                    "撰稿人",
                    submitted,
                    status,
                    False,
                )
            )
            if status == "adopted":
                for pub in rng.sample([1, 2, 3], rng.randrange(1, 3)):
                    adoption_id += 1
                    adopted_on = min(today, day + dt.timedelta(days=rng.randrange(1, 8)))
                    adoptions.append(
                        (
                            adoption_id,
                            report_id,
                            unit,
                            pub,
                            report_id % 500 + 1,
                            adopted_on,
                            pub_points[pub],
                        )
                    )
        _copy(
            conn,
            "reports",
            [
                "id",
                "title",
                "body",
                "category",
                "unit_id",
                "author",
                "submitted_at",
                "status",
                "late",
            ],
            reports,
        )
        _copy(
            conn,
            "adoptions",
            ["id", "report_id", "unit_id", "publication_id", "issue_no", "adopted_on", "points"],
            adoptions,
        )
        progress(f"{report_id} reports")
    _reset_sequence(conn, "reports")
    _reset_sequence(conn, "adoptions")


def _directives(conn, unit_ids, count, start, today, rng, progress):
    days = (today - start).days
    directive_rows, assignment_rows = [], []
    assignment_id = 0
    for n in range(1, count + 1):
        received = start + dt.timedelta(days=rng.randrange(days + 1))
        directive_rows.append(
            (
                n,
                f"{BENCH_PREFIX}PS-{n:06d}",
                f"关于{rng.choice(WORDS)}的批示",
                "请认真研究落实。",
                "市领导",
                "city",
                False,
                False,
                received,
                clock.now(),
            )
        )
        # One unit leads; a second, where there is one, supports it (配合).
        for place, unit in enumerate(rng.sample(unit_ids, rng.randrange(1, 3))):
            assignment_id += 1
            due = received + dt.timedelta(days=30)
            done = due < today and rng.random() < 0.85
            assignment_rows.append(
                (
                    assignment_id,
                    n,
                    unit,
                    received,
                    due,
                    "accepted" if done else "in_progress",
                    min(today, due + dt.timedelta(days=rng.randrange(-20, 5))) if done else None,
                    "support" if place else "lead",
                )
            )
        if len(directive_rows) >= CHUNK or n == count:
            _copy(
                conn,
                "directives",
                [
                    "id",
                    "number",
                    "title",
                    "content",
                    "leader_name",
                    "leader_level",
                    "urgent",
                    "confidential",
                    "received_on",
                    "created_at",
                ],
                directive_rows,
            )
            _copy(
                conn,
                "assignments",
                [
                    "id",
                    "directive_id",
                    "unit_id",
                    "assigned_on",
                    "due_on",
                    "original_due_on",
                    "status",
                    "finished_on",
                    "closed_at",
                    "part",
                ],
                [
                    (*_finished_after(row), _accepted_at(row, today), row[-1])
                    for row in assignment_rows
                ],
            )
            _copy(
                conn,
                "assignment_events",
                ["assignment_id", "at", "actor_name", "action", "from_status", "to_status"]
                + ["due_on", "comment"],
                [step for row in assignment_rows for step in _history(row, today)],
            )
            directive_rows, assignment_rows = [], []
            progress(f"{n} directives")
    _reset_sequence(conn, "directives")
    _reset_sequence(conn, "assignments")


def _finished_after(row):
    assignment_id, directive_id, unit, assigned, due, status, finished, _part = row
    if finished is not None and finished < assigned:
        finished = assigned
    return (assignment_id, directive_id, unit, assigned, due, due, status, finished)


def _at(day, today):
    return clock.start_of(min(day, today)) + dt.timedelta(hours=10)


def _accepted_at(row, today):
    """An accepted assignment was accepted two days after its result came."""
    finished = _finished_after(row)[-1]
    return None if finished is None else _at(finished + dt.timedelta(days=2), today)


def _history(row, today):
    """The recorded steps of an assignment: assigned and signed for, in progress the next
    day, and for one accepted, its result submitted on the day it finished and accepted."""
    assignment_id, _directive, _unit, assigned, due, _original, _status, finished = _finished_after(
        row
    )

    def step(at, action, before, after):
        return (assignment_id, at, "督查室", action, before, after, due, "")

    steps = [
        step(_at(assigned, today), "assign", None, "assigned"),
        step(_at(assigned, today), "acknowledge", "assigned", "acknowledged"),
        step(
            _at(assigned + dt.timedelta(days=1), today), "progress", "acknowledged", "in_progress"
        ),
    ]
    if finished is not None:
        steps.append(step(_at(finished, today), "submit_result", "in_progress", "submitted"))
        steps.append(step(_accepted_at(row, today), "accept", "submitted", "accepted"))
    return steps


def _reset_sequence(conn, table):
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"coalesce((SELECT max(id) FROM {table}), 1))"
        )
