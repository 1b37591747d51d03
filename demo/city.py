"""Demo data: a believable city office (江州市) with a year of reports and directives.

The directives, with their assignments' histories, are in `demo/directives.py`.

Deterministic (a fixed random seed) and idempotent: what exists already, matched by its
natural key, is left alone, so a second run adds nothing.
"""

import datetime as dt
import random
import secrets
from dataclasses import dataclass, field

from demo.directives import LEADERS, seed_directives
from demo.keywork import seed_key_work
from demo.records import seed_records
from models import (
    Account,
    Adoption,
    Publication,
    Report,
    Staff,
    Unit,
    clock,
    db,
)
from models.scoring import DEFAULT_RULES, Deduction, Instruction, Quota, ScoreRule
from models.solicitations import Solicitation
from models.units import DEFAULT_GROUP

COUNTIES = [
    ("JZ-QH", "清河县"),
    ("JZ-SY", "松阳县"),
    ("JZ-LS", "临山县"),
    ("JZ-DC", "东城区"),
    ("JZ-XC", "西城区"),
]
CITY_DEPTS = [
    ("SZ-FG", "市发展和改革委员会"),
    ("SZ-JY", "市教育局"),
    ("SZ-GA", "市公安局"),
    ("SZ-CZ", "市财政局"),
    ("SZ-ZJ", "市住房和城乡建设局"),
    ("SZ-NY", "市农业农村局"),
    ("SZ-SW", "市商务局"),
    ("SZ-WJ", "市卫生健康委员会"),
    ("SZ-YJ", "市应急管理局"),
    ("SZ-ST", "市生态环境局"),
]
TOWNSHIPS = [
    ("QH-CG", "城关镇", "JZ-QH"),
    ("QH-XX", "溪下乡", "JZ-QH"),
    ("QH-BS", "白沙镇", "JZ-QH"),
    ("SY-SY", "松源街道", "JZ-SY"),
    ("SY-HT", "湖塘镇", "JZ-SY"),
    ("SY-GL", "古楼乡", "JZ-SY"),
    ("LS-QS", "青山镇", "JZ-LS"),
    ("LS-SK", "石口镇", "JZ-LS"),
    ("DC-DM", "东门街道", "JZ-DC"),
    ("DC-JB", "江滨街道", "JZ-DC"),
    ("XC-XM", "西门街道", "JZ-XC"),
    ("XC-LT", "柳塘镇", "JZ-XC"),
]
COUNTY_DEPTS = [
    ("QH-JY", "清河县教育局", "JZ-QH"),
    ("QH-NY", "清河县农业农村局", "JZ-QH"),
    ("SY-FG", "松阳县发展和改革局", "JZ-SY"),
    ("LS-YJ", "临山县应急管理局", "JZ-LS"),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "文斌",
    "海燕",
    "晓东",
    "志刚",
    "红梅",
]

PUBLICATIONS = [
    ("县级信息简报", "county", "main", 3),
    ("《江州快讯》正刊", "city", "main", 10),
    ("《江州快讯》增刊", "city", "supplement", 6),
    ("《江州快讯》领导参阅", "city", "leaders", 15),
    ("省委办公厅《每日汇报》", "province", "main", 20),
    ("中办《信息综合》", "central", "main", 50),
]
ACTIONS = [
    "多措并举推进",
    "扎实开展",
    "创新机制抓好",
    "强化责任落实",
    "聚焦重点突破",
    "精准发力推动",
    "以点带面深化",
    "全力以赴做好",
]
TOPICS = {
    "news": [
        "秋冬季秸秆禁烧工作",
        "安全生产大检查",
        "城乡环境综合整治",
        "重点项目集中开工",
        "防汛抗旱准备工作",
        "招商引资签约",
    ],
    "comprehensive": [
        "一季度经济运行情况",
        "民营经济发展态势",
        "乡村振兴工作进展",
        "营商环境优化成效",
    ],
    "research": [
        "关于农村集体经济发展的调研",
        "关于县域产业转型升级的思考",
        "关于基层减负情况的调查",
    ],
    "problem": [
        "部分村级组织运转困难值得关注",
        "企业用工难问题亟待破解",
        "农村留守老人照料问题突出",
    ],
    "sentiment": [
        "群众对物业服务收费意见较多",
        "部分群众反映办事排队时间长",
        "菜价上涨引发群众关注",
    ],
    "experience": ["“党建+网格”治理模式", "“最多跑一次”改革经验", "村级议事协商新做法"],
    "emergency": ["一企业发生火情已妥善处置", "暴雨致部分路段积水", "一起交通事故情况报告"],
}
CATEGORY_WEIGHTS = {
    "news": 40,
    "comprehensive": 12,
    "research": 8,
    "problem": 10,
    "sentiment": 10,
    "experience": 15,
    "emergency": 5,
}
RETURN_REASONS = [
    "请补充具体数据后重新报送。",
    "事实不够清楚，请核实后重新报送。",
    "缺少原因分析和下步措施，请修改完善。",
]


@dataclass
class SeedResult:
    created: dict = field(default_factory=dict)
    passwords: dict = field(default_factory=dict)

    def add(self, kind, count=1):
        self.created[kind] = self.created.get(kind, 0) + count

    def summary(self):
        made = (
            ", ".join(f"{kind} {n}" for kind, n in self.created.items())
            or "nothing (already there)"
        )
        lines = [f"demo data: created {made}"]
        for username, password in self.passwords.items():
            lines.append(f"login: {username} / {password}")
        return "\n".join(lines)


def _person(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _units(result):
    existing = {u.code: u for u in Unit.query}
    specs = (
        [(c, n, "county", None) for c, n in COUNTIES]
        + [(c, n, "city_dept", None) for c, n in CITY_DEPTS]
        + [(c, n, "township", p) for c, n, p in TOWNSHIPS]
        + [(c, n, "county_dept", p) for c, n, p in COUNTY_DEPTS]
    )
    rng = random.Random(7)
    for code, name, kind, parent_code in specs:
        if code in existing:
            continue
        principal, in_charge = _person(rng), _person(rng)
        unit = Unit(
            code=code,
            created_on=dt.date(2020, 1, 1),
            name=name,
            kind=kind,
            ranking_group=DEFAULT_GROUP[kind],
            parent=existing.get(parent_code),
            principal_leader=principal,
            principal_leader_email=f"{code.lower()}.head@jiangzhou.gov.example",
            leader_in_charge=in_charge,
            leader_in_charge_email=f"{code.lower()}.deputy@jiangzhou.gov.example",
        )
        db.session.add(unit)
        existing[code] = unit
        result.add("units")
        _staff_of(unit, principal, in_charge, rng)
        result.add("staff", 4 if kind == "township" else 3)
    db.session.flush()
    return existing


def _staff_of(unit, principal, in_charge, rng):
    code = unit.code.lower()
    db.session.add(
        Staff(
            name=principal,
            unit=unit,
            duty="principal_leader",
            email=f"{code}.head@jiangzhou.gov.example",
        )
    )
    db.session.add(
        Staff(
            name=in_charge,
            unit=unit,
            duty="leader_in_charge",
            email=f"{code}.deputy@jiangzhou.gov.example",
        )
    )
    for n in range(2 if unit.kind == "township" else 1):
        db.session.add(
            Staff(
                name=_person(rng),
                unit=unit,
                duty="info_officer",
                phone=f"139{rng.randrange(10**8):08d}",
                email=f"{code}.info{n + 1}@jiangzhou.gov.example",
            )
        )


def _publications(result):
    existing = {p.name: p for p in Publication.query}
    for name, level, edition, points in PUBLICATIONS:
        if name not in existing:
            existing[name] = Publication(name=name, level=level, edition=edition, points=points)
            db.session.add(existing[name])
            result.add("publications")
    db.session.flush()
    return existing


def _reports(units, publications, today, result):
    if Report.query.join(Unit).filter(Unit.code.in_(list(units))).count():
        return
    rng = random.Random(11)
    categories = list(CATEGORY_WEIGHTS)
    weights = list(CATEGORY_WEIGHTS.values())
    by_level = {}
    for pub in publications.values():
        by_level.setdefault(pub.level, []).append(pub)
    issue_no = {name: 1 for name in publications}
    start = today - dt.timedelta(days=364)
    titles = set()  # (unit, title, day): how reports are told apart, e.g. by imports
    pens = random.Random(13)  # apart from `rng`: the reports drawn stay as they were
    officers = {code: [] for code in units}
    for code, name in (
        db.session.query(Unit.code, Staff.name)
        .join(Staff, Staff.unit_id == Unit.id)
        .filter(Unit.code.in_(list(units)), Staff.duty == "info_officer")
        .order_by(Staff.id)
    ):
        officers[code].append(name)
    for unit in sorted(units.values(), key=lambda u: u.code):
        diligence = rng.uniform(0.5, 1.6)
        for month_start in _months(start, today):
            for _ in range(rng.randrange(int(1 + 3 * diligence), int(3 + 6 * diligence))):
                day = month_start + dt.timedelta(days=rng.randrange(28))
                if day > today:
                    continue
                category = rng.choices(categories, weights)[0]
                submitted_at = clock.start_of(day) + dt.timedelta(hours=rng.randrange(8, 18))
                author = _person(rng)  # drawn before the title, as it always was
                if officers[unit.code] and pens.random() < 0.8:
                    # Most items are the unit's information officers' (the payment sheet
                    # and a commended officer's lines find them by name).
                    author = pens.choice(officers[unit.code])
                title = (
                    f"{unit.name}{rng.choice(ACTIONS)}{rng.choice(TOPICS[category])}"
                    if category not in ("problem", "sentiment", "emergency")
                    else f"{unit.name}{rng.choice(TOPICS[category])}"
                )
                while (unit.code, title, day) in titles:
                    title += "（续报）"  # a follow-up on the same matter that day
                titles.add((unit.code, title, day))
                report = Report(
                    unit=unit,
                    category=category,
                    author=author,
                    title=title,
                    body=_body(unit, rng),
                    submitted_at=submitted_at,
                    event_at=submitted_at - dt.timedelta(minutes=rng.randrange(20, 150))
                    if category == "emergency"
                    else None,
                )
                _answer(report, day, today, by_level, issue_no, rng)
                db.session.add(report)
                result.add("reports")
                result.add("adoptions", len(report.adoptions))


def _answer(report, day, today, by_level, issue_no, rng):
    age = (today - day).days
    roll = rng.random()
    if age < 3:
        report.status = "received"
    elif age < 10 and roll < 0.3:
        report.status = "editing"
    elif roll < 0.45:
        report.status = "adopted"
        levels = ["county", "city"] + (["province"] if rng.random() < 0.08 else [])
        if rng.random() < 0.01:
            levels.append("central")
        for level in levels:
            pub = rng.choice(by_level[level])
            adopted_on = min(today, day + dt.timedelta(days=rng.randrange(1, 10)))
            report.adoptions.append(
                Adoption(publication=pub, issue_no=issue_no[pub.name], adopted_on=adopted_on)
            )
            issue_no[pub.name] += 1
    elif roll < 0.9:
        report.status = "not_adopted"
    else:
        report.status = "returned"
        report.answer_comment = rng.choice(RETURN_REASONS)
    if report.status != "received":
        report.answered_at = min(clock.now(), clock.start_of(day) + dt.timedelta(days=1, hours=10))


def _body(unit, rng):
    points = [
        "一是加强组织领导，成立专项工作领导小组；",
        "二是强化督促检查，建立周调度机制；",
        "三是注重宣传引导，营造良好氛围；",
        "四是完善长效机制，巩固工作成果。",
    ]
    return (
        f"近期，{unit.name}认真贯彻落实上级部署要求，结合实际，扎实推进各项工作。"
        + "".join(rng.sample(points, 3))
        + "下一步，将持续跟踪问效，确保工作落到实处。"
    )


def _months(start, end):
    month = start.replace(day=1)
    while month <= end:
        yield month
        month = (month + dt.timedelta(days=32)).replace(day=1)


def _accounts(units, admin_password, result):
    password = admin_password or secrets.token_urlsafe(9)
    wanted = [
        ("admin", "办公室管理员", "admin", None),
        ("staff", "信息科工作人员", "staff", None),
        ("leader", "办公室主任", "leader", None),
        ("qinghe", "清河县信息员", "unit", "JZ-QH"),
        ("chengguan", "城关镇信息员", "unit", "QH-CG"),
    ]
    for username, name, role, unit_code in wanted:
        if Account.query.filter_by(username=username).count():
            continue
        account = Account(username=username, name=name, role=role, unit=units.get(unit_code))
        account.set_password(password)
        db.session.add(account)
        result.add("accounts")
        result.passwords[username] = password


def _scoring_rules(result):
    existing = {(r.kind, r.key) for r in ScoreRule.query}
    for (kind, key), value in DEFAULT_RULES.items():
        if (kind, key) not in existing:
            db.session.add(ScoreRule(kind=kind, key=key, value=value))
            result.add("scoring rules")
    db.session.flush()


def _instructions_and_deductions(units, today, result):
    if (
        Instruction.query.count()
        or Deduction.query.filter(Deduction.kind != "late_emergency").count()
    ):
        return
    rng = random.Random(31)
    adopted = Report.query.filter_by(status="adopted").order_by(Report.id).all()
    for report in rng.sample(adopted, min(len(adopted), 40)):
        adopted_on = min(a.adopted_on for a in report.adoptions)
        leader, level = rng.choice(
            LEADERS[3:] + [("县委书记", "county"), ("省委副书记", "province")]
        )
        db.session.add(
            Instruction(
                report=report,
                leader_name=leader,
                leader_level=level,
                instructed_on=min(today, adopted_on + dt.timedelta(days=3)),
            )
        )
        result.add("instructions")
    returned = Report.query.filter_by(status="returned").order_by(Report.id).limit(12).all()
    for report in returned[::3]:
        db.session.add(
            Deduction(
                unit=report.unit,
                report=report,
                kind="content_error",
                occurred_on=clock.local_date(report.answered_at or clock.now()),
                reason="内容差错退稿：" + (report.answer_comment or ""),
            )
        )
        result.add("deductions")
    db.session.add(
        Deduction(
            unit=units["LS-SK"],
            kind="missed_emergency",
            occurred_on=today - dt.timedelta(days=40),
            reason="漏报：石口镇境内一起山体滑坡未按规定报送",
        )
    )
    result.add("deductions")


def _quotas(units, today, result):
    if Quota.query.filter_by(year=today.year).count():
        return
    rng = random.Random(37)
    for unit in sorted(units.values(), key=lambda u: u.code):
        items = rng.randrange(20, 45)
        db.session.add(Quota(unit=unit, year=today.year, items=items, points=items * 4))
        result.add("quotas")


SOLICITATION_TOPICS = [
    "今冬明春火灾防控工作情况",
    "秋粮收购进展及存在问题",
    "基层减负落实情况",
    "优化营商环境典型做法",
    "防汛救灾准备工作",
    "群众关心的民生实事进展",
]


def _solicitations(units, today, result):
    if Solicitation.query.count():
        return
    rng = random.Random(41)
    groups = ["township", "department", "county"]
    for n, topic in enumerate(SOLICITATION_TOPICS):
        issued = today - dt.timedelta(days=300 - n * 50)
        asked = [u for u in units.values() if u.ranking_group == groups[n % 3]]
        wanted = Solicitation(
            topic=topic,
            description=f"请围绕“{topic}”报送信息，突出做法、成效和问题建议。",
            issued_on=issued,
            due_on=issued + dt.timedelta(days=10),
            units=sorted(asked, key=lambda u: u.code),
        )
        db.session.add(wanted)
        result.add("solicitations")
        for unit in wanted.units:
            if rng.random() < 0.7 and wanted.due_on < today:
                day = wanted.due_on + dt.timedelta(days=rng.randrange(-8, 3))
                db.session.add(
                    Report(
                        unit=unit,
                        category="comprehensive",
                        author=_person(rng),
                        solicitation=wanted,
                        title=f"{unit.name}关于{topic}的报告",
                        body=_body(unit, rng),
                        submitted_at=clock.start_of(day) + dt.timedelta(hours=10),
                        status="received",
                    )
                )
                result.add("reports")


def seed(admin_password=None, today=None):
    """Create whatever of the demo data is missing; return what was created."""
    today = today or clock.today()
    result = SeedResult()
    units = _units(result)
    publications = _publications(result)
    _scoring_rules(result)
    _reports(units, publications, today, result)
    _instructions_and_deductions(units, today, result)
    _quotas(units, today, result)
    _solicitations(units, today, result)
    _accounts(units, admin_password, result)
    db.session.flush()
    now = clock.now() if today == clock.today() else clock.start_of(today) + dt.timedelta(hours=18)
    seed_directives(units, today, now, result)
    seed_key_work(units, today, now, result)
    seed_records(units, today, now, result)
    db.session.commit()
    return result
