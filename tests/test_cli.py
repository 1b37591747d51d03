"""The command-line tools, run as a user would through `flask --app app ...`."""

import sqlalchemy as sa

from models import (
    ASSIGNMENT_STATUSES,
    Account,
    Adoption,
    Assignment,
    Attachment,
    Directive,
    ExtensionRequest,
    Feedback,
    Publication,
    Report,
    Staff,
    Unit,
    clock,
    db,
)
from tests.test_views import read


def test_users_add_and_login(app, runner, world):
    result = runner.invoke(
        args=[
            "users",
            "add",
            "zhang",
            "--role",
            "unit",
            "--unit",
            "A",
            "--password",
            "long-enough-pw",
        ]
    )
    assert result.exit_code == 0, result.output
    (account,) = read(app, Account, username="zhang")
    assert account.role == "unit" and account.unit_id == world.unit_a
    client = app.test_client()
    response = client.post("/login", data={"username": "zhang", "password": "long-enough-pw"})
    assert response.status_code == 302


def test_users_add_refuses_bad_requests(app, runner, world):
    cases = [
        (["users", "add", "x1", "--role", "unit", "--password", "long-enough-pw"], "needs --unit"),
        (
            [
                "users",
                "add",
                "x2",
                "--role",
                "staff",
                "--unit",
                "NOPE",
                "--password",
                "long-enough-pw",
            ],
            "no unit",
        ),
        (["users", "add", "x3", "--role", "staff", "--password", "short"], "shorter"),
        (
            [
                "users",
                "add",
                world.usernames["staff"],
                "--role",
                "staff",
                "--password",
                "long-enough-pw",
            ],
            "already exists",
        ),
        (["users", "add", "x4", "--role", "king", "--password", "long-enough-pw"], "Invalid value"),
        (["users", "add", "长" * 51, "--role", "staff", "--password", "long-enough-pw"], "50"),
        (["users", "add", "x\x005", "--role", "staff", "--password", "long-enough-pw"], "空字符"),
        (["users", "add", "  ", "--role", "staff", "--password", "long-enough-pw"], "blank"),
        (["users", "add", "x6", "--role", "staff", "--password", "long-\x00-enough"], "NUL"),
    ]
    for args, message in cases:
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    assert read(app, Account, username="x3") == [] and read(app, Account, username="x6") == []


def test_notices_scan_takes_a_day_in_the_office_years_only(runner, world):
    for day in ("0001-01-01", "9999-12-31", "2100-01-01"):
        result = runner.invoke(args=["notices", "scan", "--today", day])
        assert result.exit_code == 2 and "2000-01-01 至 2099-12-31" in result.output, result.output
    result = runner.invoke(args=["notices", "scan", "--today", "2099-12-31"])
    assert result.exit_code == 0 and result.output.startswith("2099-12-31:"), result.output


def test_users_set_password_logs_old_sessions_out(app, runner, world):
    username = world.usernames["staff"]
    client = app.test_client()
    client.post("/login", data={"username": username, "password": "correct-horse-9"})
    assert client.get("/admin/").status_code == 200
    result = runner.invoke(args=["users", "set-password", username, "--password", "new-pass-word"])
    assert result.exit_code == 0, result.output
    assert client.get("/admin/").status_code == 302


def test_units_list_prints_code_and_name_a_line_each(runner, world):
    result = runner.invoke(args=["units", "list"])
    assert result.exit_code == 0
    assert result.output.splitlines() == ["A\t甲镇", "B\t乙镇"]


def _counts(app):
    models = [Unit, Staff, Report, Adoption, Publication, Directive, Assignment, Account, Feedback]
    return {m.__name__: len(read(app, m)) for m in models}


def test_seed_demo_fills_a_believable_city_and_is_idempotent(app, runner):
    result = runner.invoke(args=["seed-demo"], env={"DEMO_ADMIN_PASSWORD": "demo-password-1"})
    assert result.exit_code == 0, result.output
    first = _counts(app)
    assert first["Unit"] >= 30 and first["Report"] > 1000 and first["Directive"] >= 30
    kinds = {u.kind for u in read(app, Unit)}
    assert kinds == {"township", "county_dept", "county", "city_dept"}
    with app.app_context():
        levels = {p.level for p in db.session.query(Publication).join(Adoption)}
        states = {a.status for a in db.session.query(Assignment)}
        overdue = Assignment.query.filter(Assignment.overdue_filter(clock.today())).count()
    assert levels == {"county", "city", "province", "central"}
    assert states == set(ASSIGNMENT_STATUSES)
    assert overdue > 0
    with app.app_context():
        # Every assignment has its history from the start, and its state is where it led.
        for assignment in Assignment.query:
            assert assignment.events[0].action == "assign"
            assert assignment.events[-1].to_status == assignment.status
        files = Attachment.query.all()
        assert files and all(f.path.read_bytes().startswith(b"%PDF") for f in files)
        assert Feedback.query.filter_by(kind="result").count() > 10
        assert {r.state for r in ExtensionRequest.query} >= {"granted", "requested"}
    _the_office_year_is_there(app)
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "nothing" in again.output
    assert _counts(app) == first


def _the_office_year_is_there(app):
    """Pay rates, a filed payment sheet and evaluations, commendations, training, a special
    supervision project and criticism notices: each screen of issue 26 has rows to show."""
    from models import CriticismNotice, SupervisionProject, Training
    from models.awards import AwardFiling, Commendation, award_sheet, person_lines
    from models.evaluation import EvaluationFiling, GradeRule

    with app.app_context():
        last_year = clock.today().year - 1
        assert AwardFiling.query.filter_by(year=last_year).count() == 1
        sheet = award_sheet(clock.today().year)
        assert sheet.total.amount > 0 and sheet.unrated == 0  # every item has its rate
        groups = {f.ranking_group for f in EvaluationFiling.query.filter_by(year=last_year)}
        assert groups == {"county", "department", "township"}
        assert GradeRule.query.count() > 0
        people = [c.staff for c in Commendation.query if c.staff is not None]
        assert people and Commendation.query.filter(Commendation.staff_id.is_(None)).count()
        # A commended officer writes for the unit: the sheet finds their items by name.
        assert all(person_lines(sheet, person) for person in people)
        assert Training.query.count() >= 10
        assert SupervisionProject.query.one().visits
        states = {n.state for n in CriticismNotice.query}
        assert {"draft", "approved", "issued"} <= states
        issued = CriticismNotice.query.filter_by(state="issued").one()
        assert issued.number is not None


def test_seed_demo_if_empty_leaves_real_data_alone(app, runner, world):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "already has data" in result.output
    assert len(read(app, Unit)) == 2


def test_rankings_rebuild_recomputes_the_rollup(app, runner, world):
    from models import UnitMonth

    with app.app_context():
        db.session.execute(sa.delete(UnitMonth))
        db.session.commit()
    result = runner.invoke(args=["rankings", "rebuild"])
    assert result.exit_code == 0 and "months" in result.output
    assert len(read(app, UnitMonth)) > 0
