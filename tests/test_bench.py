"""`flask bench` end to end on a small province (every measurement is there, the list
pages keep their statements, the notices reach the SMTP sink, each once), and the smaller
benchmark modules on a scratch SQLite database."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from benchmarks.run import in_turn
from models import Notice, Report, Unit, db

ROOT = Path(__file__).resolve().parent.parent
LIST_PAGES = (
    "list_page_1",
    "list_page_1_100_rows",
    "list_last_page",
    "list_unit_and_month",
    "list_sorted_by_date",
    "title_search",
)


def test_the_benchmark_builds_a_province_and_measures_it(app, runner):
    result = runner.invoke(
        args=["bench", "--units", "12", "--reports", "600", "--directives", "60"]
        + ["--runs", "1", "--send-workers", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)

    with app.app_context():
        assert data["database"] == db.engine.dialect.name
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 600
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) >= 12
        # Sent, counted in the database, then cleared: the next run finds no notices.
        left = db.session.scalar(sa.select(sa.func.count()).select_from(Notice))
    # The host's speed before and after, by the two fixed tasks.
    for when in ("before", "after"):
        assert data["host"][when]["python_ms"] > 0 and data["host"][when]["database_ms"] > 0
    pages = data["pages"]
    # The account, the count and the page; on PostgreSQL a small table is counted exactly
    # after its size estimate is read, one more (a million rows stop at the estimate).
    most = 4 if data["database"] == "postgresql" else 3
    for name in LIST_PAGES:
        assert pages[name]["statements"] <= most, (name, pages[name])
    for name in ("ranking_month", "ranking_year", "ranking_page_month", "directive_monthly_report"):
        assert pages[name]["median_ms"] > 0
    # The home page of each role, and the month's ranking as a workbook.
    for role in ("admin", "staff", "leader", "unit"):
        assert pages[f"home_{role}"]["median_ms"] > 0 and pages[f"home_{role}"]["statements"]
    assert pages["ranking_xlsx_month"]["bytes"] > 1000
    # The ranking itself: the month with the month before, the year's vetoes until the
    # month's end, and the scoring table's ranking rules.
    assert pages["ranking_month_rows"]["statements"] == 3
    for name in ("export_xlsx_100k", "export_csv_100k", "export_csv_all"):
        assert pages[name]["bytes"] > 1000 and pages[name]["peak_mib"] > 0
    ratios = {"list_page_1", "list_last_page", "title_search", "export_csv_100k", "export_memory"}
    ratios |= {"search_two_found", "search_two_absent"}  # a two-character word, found or not
    if data["database"] == "postgresql":  # the stock search without the trigram index too
        ratios.add("title_search_without_index")
        assert data["stock"]["title_search_without_index"]["statements"] >= 2
    assert set(data["ratios"]) == ratios
    # The ratios near their targets are of requests taken in turn, ours and stock's.
    paired = {"list_page_1", "export_csv_100k"} | (ratios & {"title_search_without_index"})
    for name in paired:
        turn = data["stock"][f"{name}_in_turn"]
        assert turn["ours_median_ms"] > 0 and turn["median_ms"] > 0
        assert data["ratios"][name] == round(turn["median_ms"] / turn["ours_median_ms"], 1)
    send = data["notices"]["send"]
    assert data["notices"]["scan"]["notices"] > 0
    assert send["workers"] == 2 and send["notices"] > 0
    assert send["sent"] == send["notices"] and left == 0


def test_calls_measured_in_turn_start_each_round_one_further_on():
    """The two sides of a ratio read the same moments of the host, neither always first."""
    calls = []
    times = in_turn({name: lambda name=name: calls.append(name) for name in "abc"}, 3)
    assert calls == [*"abc", *"abc", *"bca", *"cab"]  # a warm-up each, then three rounds
    assert {name: len(ms) for name, ms in times.items()} == {"a": 3, "b": 3, "c": 3}


@pytest.mark.parametrize(
    "module, args, expected",
    [
        ("benchmarks.import_reports", ["--rows", "60"], "again: "),
        ("benchmarks.scan_notices", ["--assignments", "600"], "second scan, same day: 0 notices"),
    ],
)
def test_the_smaller_benchmarks_run_on_a_scratch_database(module, args, expected, tmp_path):
    url = f"sqlite:///{tmp_path / 'scratch.db'}"
    result = subprocess.run(
        [sys.executable, "-m", module, url, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert expected in result.stdout
