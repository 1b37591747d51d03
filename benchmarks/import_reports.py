"""Importing a large reports workbook: time and peak memory of the check and the import.

    .venv/bin/python -m benchmarks.import_reports                  # SQLite in a temporary directory
    .venv/bin/python -m benchmarks.import_reports --rows 50000 --wipe postgresql://postgres@127.0.0.1/scratch

Builds the schema from the migrations in a scratch database (a PostgreSQL one is wiped
first, so only with --wipe), adds 200 units and the demo's publications, writes an XLSX of
`--rows` report rows (one in three with an adoption, as an office's year looks), then
times the check (applied and rolled back), the import (applied and committed) and the
re-import (every row unchanged), as the jobs run them, with the process's peak memory.
"""

import argparse
import io
import resource
import tempfile
import time

import openpyxl
import sqlalchemy as sa

from benchmarks.scratch import scratch_app
from demo import PUBLICATIONS
from models import Account, Publication, Unit, db
from models.imports import check_rows, template_header

UNITS = 200
CATEGORIES = ["动态信息", "综合信息", "调研信息", "问题信息", "社情民意", "经验做法"]


def build(url, wipe):
    app = scratch_app(url, wipe)
    with app.app_context():
        for n in range(1, UNITS + 1):
            db.session.add(
                Unit(
                    code=f"B{n:04d}", name=f"基准单位{n}", kind="township", ranking_group="township"
                )
            )
        for name, level, edition, points in PUBLICATIONS:
            db.session.add(Publication(name=name, level=level, edition=edition, points=points))
        account = Account(username="bench", name="基准", role="admin", password_hash="x")
        db.session.add(account)
        db.session.commit()
    return app


def workbook(rows):
    """An .xlsx of `rows` report rows, as an office's spreadsheet would hold them."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(template_header("reports"))
    for n in range(rows):
        adopted = n % 3 == 0
        day = f"2026-{n % 9 + 1:02d}-{n % 27 + 1:02d}"
        sheet.append(
            [
                f"基准信息第{n}号关于重点工作推进情况的报告",
                f"B{n % UNITS + 1:04d}",
                f"{day} 10:00",
                CATEGORIES[n % len(CATEGORIES)],
                "李明",
                "近期，认真贯彻落实上级部署要求，结合实际，扎实推进各项工作。" * 3,
                "",
                "已采用" if adopted else "未采用",
                "",
                "《江州快讯》正刊" if adopted else "",
                n // 3 + 1 if adopted else "",
                f"{day}" if adopted else "",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def timed(label, work):
    start = time.perf_counter()
    outcomes = work()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    actions = {}
    for outcome in outcomes:
        actions[outcome.action] = actions.get(outcome.action, 0) + 1
    print(f"{label}: {seconds:.1f} s, process peak {peak:.0f} MB so far, {actions}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url", nargs="?", help="database URL (default: SQLite in a temp dir)")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--wipe", action="store_true", help="wipe the PostgreSQL database first")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{tmp}/bench.db"
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        app = build(url, args.wipe)
        with app.app_context():
            app.config["IMPORT_MAX_BYTES"] = 100 * 1024 * 1024
            data = workbook(args.rows)
            print(
                f"{args.rows} rows, {len(data) / 1024 / 1024:.1f} MB of XLSX, on {db.engine.dialect.name}"
            )
            account = db.session.scalar(sa.select(Account))
            timed("check", lambda: check_rows("reports", data, account))
            timed("import", lambda: check_rows("reports", data, account, commit=True))
            db.session.commit()
            timed("again", lambda: check_rows("reports", data, account, commit=True))


if __name__ == "__main__":
    main()
