"""Demo directives: fifty leaders' instructions whose assignments lived real lives.

Every step goes through the model's lifecycle, back-dated, so the history is what the
office would have recorded: acknowledgements, objections, progress reports, extensions,
results signed by the right leader (a few with a PDF), returns, acceptances and
cancellations. Some are overdue, some yellow, some green. Deterministic for a given day.
"""

import datetime as dt
import random

from models import (
    Account,
    Assignment,
    DeadlineRule,
    Directive,
    Feedback,
    Staff,
    WorkCalendar,
    clock,
    db,
)
from models.deadlines import DEFAULT_RULES
from models.feedback import required_signer_duties, store_attachment

SUBJECTS = [
    "关于加快推进老旧小区改造的批示",
    "关于做好冬季安全生产工作的批示",
    "关于群众反映供水问题的批示",
    "关于优化营商环境专项行动的批示",
    "关于秸秆综合利用工作的批示",
    "关于信访积案化解的批示",
    "关于农村人居环境整治的批示",
    "关于重点项目建设进度的批示",
    "关于食品安全专项整治的批示",
    "关于防范化解金融风险的批示",
]
LEADERS = [
    ("中央领导同志", "central"),
    ("省委主要领导", "province"),
    ("省政府分管领导", "province"),
    ("市委书记", "city"),
    ("市长", "city"),
    ("市委副书记", "city"),
    ("常务副市长", "city"),
]
PROGRESS = "已召开专题会议研究部署，明确责任分工和时间节点，正在抓紧推进，阶段性进展如下：一是摸清底数；二是制定方案；三是落实整改。"
RESULT = "经认真核查办理，相关问题已整改到位。主要做法：一是压实责任；二是建立台账；三是健全长效机制。特此报告。"
# A minimal valid PDF for the demo's attachments.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def ensure_rules():
    """The default deadline rules, if the table is empty (a migration adds them too)."""
    if DeadlineRule.query.count():
        return DeadlineRule.query.all()
    keys = ("leader_level", "urgent_only", "target", "counting", "amount", "note")
    rules = [DeadlineRule(**dict(zip(keys, row, strict=True))) for row in DEFAULT_RULES]
    db.session.add_all(rules)
    return rules


class Life:
    """Walk one assignment through its steps, each at its own moment, until now."""

    def __init__(self, assignment, office, officer, now, rng):
        self.a, self.office, self.now, self.rng = assignment, office, now, rng
        self.unit_actor = officer or office  # the office files paper feedback for a unit
        self.signers = {
            s.duty: s for s in Staff.query.filter_by(unit_id=assignment.unit.id, active=True)
        }

    def at(self, day, hour=10):
        return clock.start_of(day) + dt.timedelta(hours=hour, minutes=self.rng.randrange(60))

    def step(self, day, do, hour=10):
        """Take the step if its moment has come; say whether it was taken."""
        moment = self.at(day, hour)
        if moment > self.now:
            return False
        do(moment)
        return True

    def file(self, kind, moment, with_pdf=False):
        signer = None
        if kind == "result":
            duty = required_signer_duties(self.a.directive.leader_level)[0]
            signer = self.signers[duty]
        report = Feedback(
            assignment=self.a,
            kind=kind,
            text=RESULT if kind == "result" else PROGRESS,
            signer=signer,
        )
        report.file(self.unit_actor, at=moment)
        if with_pdf:
            store_attachment(
                report, f"{self.a.unit.name}关于{self.a.directive.title}的办理情况报告.pdf", PDF
            )

    def live(self, plan):
        a, day = self.a, self.a.assigned_on
        if plan == "silent":
            return
        if not self.step(
            day + dt.timedelta(days=1), lambda m: a.acknowledge(self.unit_actor, "已签收", at=m)
        ):
            return
        if plan == "acknowledged":
            return
        if plan.startswith("objection"):
            self.objection(day, decide=plan == "objection")
            return
        if plan == "cancelled":
            self.step(
                day + dt.timedelta(days=4),
                lambda m: a.cancel(self.office, "工作调整，改由其他单位牵头办理", at=m),
            )
            return
        if not self.step(day + dt.timedelta(days=5), lambda m: self.file("progress", m)):
            return
        if plan == "stalled":
            return
        if plan.startswith("extension") and not self.extension(decide=plan == "extension"):
            return
        self.finish(plan)

    def objection(self, day, decide):
        a = self.a
        subject = self.rng.choice(["deadline", "assignment"])
        raised = self.step(
            day + dt.timedelta(days=1),
            lambda m: a.raise_objection(
                self.unit_actor,
                subject,
                "该事项主要职责不在本单位，建议调整承办单位或办理时限。",
                at=m,
            ),
            hour=15,
        )
        if raised and decide:
            self.step(
                day + dt.timedelta(days=3),
                lambda m: a.decide_objection(
                    self.office, False, "经研究，仍由该单位牵头办理", at=m
                ),
            )

    def extension(self, decide):
        a = self.a
        asked_on = a.due_on - dt.timedelta(days=3)
        proposed = a.due_on + dt.timedelta(days=self.rng.randrange(10, 25))
        if not self.step(
            asked_on,
            lambda m: a.request_extension(
                self.unit_actor, proposed, "涉及多个部门协调，需延期办理", at=m
            ),
        ):
            return False
        return decide and self.step(
            asked_on + dt.timedelta(days=1),
            lambda m: a.grant_extension(self.office, comment="同意延期", at=m),
        )

    def finish(self, plan):
        a = self.a
        submit_on = max(
            a.assigned_on + dt.timedelta(days=6),
            a.due_on + dt.timedelta(days=self.rng.randrange(-10, 6)),
        )
        if plan in ("awaiting", "returned_open"):  # shown waiting: submitted in the past
            submit_on = min(submit_on, clock.local_date(self.now) - dt.timedelta(days=3))
        with_pdf = self.rng.random() < 0.3
        if not self.step(submit_on, lambda m: self.file("result", m, with_pdf), hour=16):
            return
        if plan == "awaiting":
            return
        if plan.startswith("returned"):
            if not self.step(
                submit_on + dt.timedelta(days=2),
                lambda m: a.return_result(self.office, "原因分析不够深入，整改措施不具体", at=m),
            ):
                return
            if plan == "returned_open":
                return
            if not self.step(submit_on + dt.timedelta(days=4), lambda m: self.file("progress", m)):
                return
            submit_on += dt.timedelta(days=7)
            if not self.step(submit_on, lambda m: self.file("result", m), hour=16):
                return
        accept_on = submit_on + dt.timedelta(days=self.rng.randrange(1, 8))
        self.step(
            accept_on, lambda m: a.accept(self.office, "办理结果符合要求，予以办结", at=m), hour=11
        )


OLD_PLANS = {"normal": 70, "extension": 10, "returned": 10, "cancelled": 3, "stalled": 7}
RECENT_PLANS = ["normal"] * 6 + ["extension", "returned", "stalled", "cancelled"]
# Directives that show every state, whatever the day: (plan, received days ago, level,
# urgent, unit code). An urgent one without progress is yellow; a stalled one is red.
SHOWCASE = [
    ("silent", 1, "city", False, "QH-CG"),
    ("objection_open", 2, "city", False, "SY-HT"),
    ("acknowledged", 3, "province", False, "QH-CG"),
    ("acknowledged", 10, "city", True, "JZ-QH"),
    ("normal", 10, "city", False, "QH-CG"),
    ("awaiting", 20, "city", False, "SZ-JY"),
    ("returned_open", 20, "city", False, "QH-CG"),
    ("extension_open", 29, "city", False, "JZ-QH"),
    ("stalled", 40, "city", False, "SY-SY"),
    ("cancelled", 15, "city", False, "LS-QS"),
]


def choose_plan(received, today, rng):
    """Old assignments are mostly finished; recent ones are under way."""
    weights = OLD_PLANS if (today - received).days > 45 else dict.fromkeys(RECENT_PLANS, 1)
    return rng.choices(list(weights), list(weights.values()))[0]


def seed_directives(units, today, now, result):
    """Fifty directives with assignments in every state; nothing if they exist already."""
    if Directive.query.filter(Directive.number.like("JZ-PS-%")).count():
        return
    rules = ensure_rules()
    calendar = WorkCalendar.load()
    office = Account.query.filter_by(username="staff").one()
    officers = {a.unit_id: a for a in Account.query.filter_by(role="unit")}
    rng = random.Random(23)
    unit_list = sorted(units.values(), key=lambda u: u.code)

    def make(n, received, level, urgent, units_and_plans):
        leader = rng.choice([name for name, lvl in LEADERS if lvl == level])
        directive = Directive(
            number=f"JZ-PS-{received.year}-{n:03d}",
            title=rng.choice(SUBJECTS),
            content=f"{leader}批示：请相关单位高度重视，认真研究，抓紧落实，并及时报告办理结果。",
            leader_name=leader,
            leader_level=level,
            urgent=urgent,
            confidential=rng.random() < 0.15,
            received_on=received,
            created_at=clock.start_of(received) + dt.timedelta(hours=9),
        )
        db.session.add(directive)
        for unit, plan in units_and_plans:
            assignment = Assignment(unit=unit, assigned_on=received)
            directive.assignments.append(assignment)
            assignment.assign(
                office, calendar, rules, at=clock.start_of(received) + dt.timedelta(hours=9)
            )
            Life(assignment, office, officers.get(unit.id), now, rng).live(plan)
        result.add("directives")
        result.add("assignments", len(directive.assignments))

    for n in range(1, 41):
        level = rng.choice(LEADERS)[1]
        received = today - dt.timedelta(days=rng.randrange(2, 200))
        chosen = rng.sample(unit_list, rng.randrange(1, 4))
        make(
            n,
            received,
            level,
            rng.random() < 0.2,
            [(u, choose_plan(received, today, rng)) for u in chosen],
        )
    for n, (plan, days_ago, level, urgent, code) in enumerate(SHOWCASE, start=41):
        make(n, today - dt.timedelta(days=days_ago), level, urgent, [(units[code], plan)])
