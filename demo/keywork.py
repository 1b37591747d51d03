"""Demo key work (重要工作分工负责制): this year's areas and items handed to the city's
departments and counties, the mid-year check with self-assessments and verdicts, and a
site visit whose rectification is under way."""

import datetime as dt

from models import Account, CheckRound, KeyWorkArea, KeyWorkItem, SiteVisit, db

# (area, [(item, leader in charge, lead codes, supporting codes, targets)])
AREAS = [
    (
        "经济发展",
        [
            ("招商引资攻坚", "陈副市长", ["SZ-SW"], ["SZ-FG", "JZ-QH"], "全年引进亿元以上项目20个"),
            ("重点项目建设", "陈副市长", ["SZ-FG"], ["SZ-ZJ", "SZ-CZ"], "完成重点项目投资120亿元"),
        ],
    ),
    (
        "社会事业",
        [
            ("义务教育均衡发展", "周副市长", ["SZ-JY"], ["SZ-CZ"], "新建改扩建中小学8所"),
            ("基层医疗服务能力提升", "周副市长", ["SZ-WJ"], [], "乡镇卫生院达标率100%"),
        ],
    ),
    (
        "平安建设",
        [
            ("安全生产专项整治", "吴副市长", ["SZ-YJ"], ["SZ-GA", "JZ-SY"], "较大以上事故零发生"),
        ],
    ),
]
VERDICTS = ["good", "fairly_good", "average", "good", "poor"]


def seed_key_work(units, today, now, result):
    """This year's key work; nothing if there is some already."""
    year = today.year
    if KeyWorkArea.query.filter_by(year=year).count():
        return
    office = Account.query.filter_by(username="staff").one()
    for area_seq, (area_name, items) in enumerate(AREAS, 1):
        area = KeyWorkArea(year=year, seq=area_seq, name=area_name)
        db.session.add(area)
        for seq, (title, leader, lead, support, targets) in enumerate(items, 1):
            item = KeyWorkItem(area=area, seq=seq, title=title, leader_name=leader, targets=targets)
            db.session.add(item)
            item.write_carrier()
            parts = {units[c]: "support" for c in support} | {units[c]: "lead" for c in lead}
            item.hand_to(parts, office, due_on=dt.date(year, 12, 31), at=now)
            result.add("key work items")
    if today >= dt.date(year, 7, 10):
        check_round = CheckRound(year=year, half="h1", checked_on=dt.date(year, 7, 8))
        db.session.add(check_round)
        for n, check in enumerate(check_round.open()):
            db.session.flush()
            check.assess(None, "上半年按计划推进，已完成年度目标的一半。", "on_schedule")
            check.judge(office, VERDICTS[n % len(VERDICTS)], "继续抓好落实。")
    visit = SiteVisit(
        unit=units["QH-CG"],
        visited_on=today,
        place="城关镇老旧小区改造工地",
        members="督查室王科长、李干事",
        findings="改造工程停工两个月，群众反映强烈。",
        rectification="制定复工方案，一个月内恢复施工。",
        rectify_by=today + dt.timedelta(days=30),
    )
    visit.require_rectification(office, at=now)
    result.add("site visits")
