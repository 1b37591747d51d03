"""Demo records of the office's year: the pay table and last year's filed payment sheet,
the grade rules and last year's filed evaluation, commendations, the officers' training,
a special supervision project, and criticism notices drafted from the records (one
issued, one approved, the rest to review).

Each part is left alone when it has rows already, so a second run adds nothing.
"""

import datetime as dt

from models import Account, SiteVisit, Staff, db
from models.awards import AwardFiling, Commendation, PayRate, file_year
from models.criticism import CriticismNotice, draft_criticisms, overdue_threshold
from models.deadlines import WorkCalendar
from models.evaluation import (
    DEFAULT_GRADE_RULES,
    EvaluationFiling,
    GradeRule,
    file_evaluation,
)
from models.periods import month
from models.supervision import SupervisionProject
from models.training import Training

# (kind, level, yuan): a city's usual 稿酬 per adopted item and per leader's instruction.
PAY_TABLE = [
    ("adoption", "county", 30),
    ("adoption", "city", 100),
    ("adoption", "province", 300),
    ("adoption", "central", 800),
    ("instruction", "county", 50),
    ("instruction", "city", 200),
    ("instruction", "province", 500),
    ("instruction", "central", 1000),
]
RAISE = {("adoption", "city"): 120}  # a line from this year on: the table is history
TRAINING_PLAN = [
    ("alongside", 5, 40, "市委办公室信息科"),
    ("on_post", 10, 80, "市委办公室信息科"),
    ("by_meeting", 1, 4, "市委第一会议室"),
]


def seed_records(units, today, now, result):
    """The office's year beyond reports and directives (see the module's text)."""
    office = Account.query.filter_by(username="staff").one()
    last_year = today.year - 1
    _pay_rates(today, result)
    _grade_rules(today, result)
    db.session.flush()
    if not AwardFiling.query.count():
        file_year(last_year, office, today=today)
        result.add("payment sheets filed")
    if not EvaluationFiling.query.count():
        for group in ("county", "department", "township"):
            file_evaluation(last_year, group, office, today=dt.date(last_year, 12, 31))
            result.add("evaluations filed")
    _commendations(units, last_year, today, result)
    _trainings(units, today, result)
    _project(units, today, result)
    _criticisms(units, today, now, office, result)


def _pay_rates(today, result):
    if PayRate.query.count():
        return
    start = dt.date(today.year - 1, 1, 1)
    for kind, level, amount in PAY_TABLE:
        db.session.add(PayRate(kind=kind, level=level, amount=amount, valid_from=start))
        result.add("pay rates")
    for (kind, level), amount in RAISE.items():
        db.session.add(
            PayRate(kind=kind, level=level, amount=amount, valid_from=dt.date(today.year, 1, 1))
        )
        result.add("pay rates")


def _grade_rules(today, result):
    if GradeRule.query.count():
        return
    start = dt.date(today.year - 1, 1, 1)
    for key, value in DEFAULT_GRADE_RULES.items():
        db.session.add(GradeRule(key=key, value=value, valid_from=start))
        result.add("grade rules")


def _commendations(units, year, today, result):
    if Commendation.query.count():
        return
    awarded_on = min(today, dt.date(year + 1, 1, 20))
    document_no = f"江办发〔{year + 1}〕3号"
    for code in ("SZ-FG", "JZ-QH", "QH-CG"):
        db.session.add(
            Commendation(
                year=year,
                title="信息工作先进单位",
                unit=units[code],
                document_no=document_no,
                awarded_on=awarded_on,
            )
        )
        result.add("commendations")
    for code in ("SZ-JY", "QH-CG", "SY-HT"):
        officer = _officers(units[code])[0]
        db.session.add(
            Commendation(
                year=year,
                title="优秀信息员",
                unit=units[code],
                staff=officer,
                document_no=document_no,
                awarded_on=awarded_on,
            )
        )
        result.add("commendations")


def _officers(unit):
    return Staff.query.filter_by(unit_id=unit.id, duty="info_officer").order_by(Staff.id).all()


def _trainings(units, today, result):
    if Training.query.count():
        return
    codes = sorted(units)
    for n, code in enumerate(codes[::3]):
        kind, days, hours, place = TRAINING_PLAN[n % len(TRAINING_PLAN)]
        started_on = today - dt.timedelta(days=30 + 25 * n)
        for officer in _officers(units[code])[:1]:
            db.session.add(
                Training(
                    staff=officer,
                    kind=kind,
                    started_on=started_on,
                    ended_on=started_on + dt.timedelta(days=days - 1),
                    hours=hours,
                    place=place,
                )
            )
            result.add("training records")


def _project(units, today, result):
    if SupervisionProject.query.count():
        return
    project = SupervisionProject(
        title="城镇老旧小区改造专项督查",
        scope="全市老旧小区改造项目的开工、进度、资金使用和群众满意度。",
        started_on=today - dt.timedelta(days=45),
        ended_on=today - dt.timedelta(days=15),
        findings="部分项目开工滞后，个别小区停工待料，群众反映强烈。",
        units=[units[c] for c in ("SZ-ZJ", "JZ-QH", "QH-CG", "SY-SY")],
    )
    db.session.add(project)
    for visit in SiteVisit.query.filter_by(unit_id=units["QH-CG"].id):
        visit.project = project  # the visit the project led to (demo/keywork.py)
    result.add("supervision projects")


def _criticisms(units, today, now, office, result):
    if CriticismNotice.query.count():
        return
    missed = units["LS-SK"]  # the demo's missed emergency report, 40 days ago
    period = month(today - dt.timedelta(days=40))
    drafted = draft_criticisms(today, period, office, overdue_threshold(), WorkCalendar.load())
    db.session.flush()
    result.add("criticism notices", len(drafted.made))
    notices = CriticismNotice.query.order_by(CriticismNotice.id).all()
    first = next((n for n in notices if n.unit_id == missed.id), notices[0] if notices else None)
    if first is not None:
        first.approve(office, at=now)
        first.issue(office, at=now)
    others = [n for n in notices if n is not first]
    if others:
        others[0].approve(office, at=now)
