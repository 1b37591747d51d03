"""Importing key work items (重要工作分工负责制) as the office publishes them: one row per item,
its area, the leader in charge, lead and supporting units by code, the year's targets.

An area is matched by its year and serial, an item by its area and serial. A new item's
units get their parts (assignments due at the year's end, or on the date given), through
the same rule as the screen (`KeyWorkItem.hand_to`); an existing item takes the changed
text and any unit not yet given a part (a part is never taken away by an import: it is
cancelled on its assignment's page). Importing the same file again changes nothing.
"""

import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import bounds
from models.base import db
from models.imports.columns import Column, RowProblem
from models.imports.engine import Importer, Outcome, changes_text, set_changed
from models.imports.units import UnitCodes
from models.keywork import MAX_SEQ, KeyWorkArea, KeyWorkItem

SEPARATORS = re.compile(r"[、,，;；\s]+")
KEY_WORK_COLUMNS = [
    Column("年度", "year", "int", required=True),
    Column("方面序号", "area_seq", "int", required=True, note=f"1 至 {MAX_SEQ}"),
    Column("方面", "area_name", required=True, max_length=100),
    Column(
        KeyWorkItem.seq,
        "seq",
        "int",
        required=True,
        note="同一方面内的序号，按此更新",
        aliases=("项目序号",),
    ),
    Column(KeyWorkItem.title, "title", required=True, max_length=200, aliases=("项目名称",)),
    Column(KeyWorkItem.leader_name, "leader_name", required=True, max_length=50),
    Column("牵头单位代码", "lead_codes", note="多个单位用顿号分隔；新项目至少一个"),
    Column("配合单位代码", "support_codes", note="多个单位用顿号分隔"),
    Column(KeyWorkItem.targets, "targets", aliases=("年度目标",)),
    Column("办理期限", "due_on", "date", note="留空为当年12月31日"),
]
ITEM_FIELDS = [c for c in KEY_WORK_COLUMNS if c.key in ("title", "leader_name", "targets")]


def codes_of(text):
    return [code for code in SEPARATORS.split(text or "") if code]


class KeyWorkImporter(Importer):
    kind = "key_work"
    columns = KEY_WORK_COLUMNS
    key_columns = ("year", "area_seq", "seq")

    def begin(self, reader, rows):
        self.codes = UnitCodes()
        self.areas = {}  # (year, serial) -> KeyWorkArea
        self.seen = {}  # (year, area serial, serial) -> first row
        years = {v["year"] for v in rows if v.get("year")}
        for area in db.session.scalars(sa.select(KeyWorkArea).where(KeyWorkArea.year.in_(years))):
            self.areas[(area.year, area.seq)] = area

    def prepare(self, rows):
        self.codes.load(
            code
            for v in rows
            for code in codes_of(v.get("lead_codes")) + codes_of(v.get("support_codes"))
        )

    def apply(self, row, values):
        year, area_seq, seq = values["year"], values["area_seq"], values["seq"]
        if not bounds.FIRST_DAY.year <= year <= bounds.LAST_DAY.year:
            raise RowProblem(bounds.day_message())
        if not (1 <= area_seq <= MAX_SEQ and 1 <= seq <= MAX_SEQ):
            raise RowProblem(_l("A serial is a whole number from 1 to %(high)s.", high=MAX_SEQ))
        key = (year, area_seq, seq)
        if key in self.seen:
            raise RowProblem(_l("The same record as row %(row)s of this file.", row=self.seen[key]))
        parts = self._parts(values)
        due_on = values.get("due_on")
        if due_on is not None and due_on.year != year:
            raise RowProblem(_l("The due date is in the item's year."))
        area = self.areas.get((year, area_seq))
        item = None
        if area is not None:
            item = next((i for i in area.items if i.seq == seq), None)
        if item is None and not any(part == "lead" for part in parts.values()):
            raise RowProblem(_l("Choose at least one lead unit."))
        # Savepoint: the lifecycle's rules are known only by trying them.
        with db.session.begin_nested():
            changes = []
            if area is None:
                area = KeyWorkArea(year=year, seq=area_seq, name=values["area_name"])
                db.session.add(area)
            elif area.name != values["area_name"]:
                changes.append(("方面", area.name, values["area_name"]))
                area.name = values["area_name"]
            if item is None:
                item = KeyWorkItem(
                    area=area,
                    seq=seq,
                    title=values["title"],
                    leader_name=values["leader_name"],
                    targets=values.get("targets") or "",
                )
                db.session.add(item)
                item.write_carrier()
                item.hand_to(parts, self.actor, due_on=due_on)
                action, detail = "create", item.title
            else:
                changes += set_changed(item, values, ITEM_FIELDS)
                if changes:
                    item.write_carrier()
                assigned = {a.unit_id for a in item.assignments}
                new = {u: p for u, p in parts.items() if u.id not in assigned}
                made = item.hand_to(new, self.actor, due_on=due_on) if new else []
                changes += [("单位", "", a.unit.name) for a in made]
                action = "update" if changes else "unchanged"
                detail = changes_text(changes)
        self.seen[key] = row
        self.areas[(year, area_seq)] = area
        return Outcome(row, action, self.key(values), detail)

    def _parts(self, values):
        lead = [self.codes.get(c, "牵头单位代码") for c in codes_of(values.get("lead_codes"))]
        support = [self.codes.get(c, "配合单位代码") for c in codes_of(values.get("support_codes"))]
        both = set(lead) & set(support)
        if both:
            names = "、".join(sorted(u.name for u in both))
            raise RowProblem(_l("Chosen both to lead and to support: %(units)s", units=names))
        parts = dict.fromkeys(support, "support")
        parts.update(dict.fromkeys(lead, "lead"))
        return parts


def key_work_rows():
    """Every key work item as a row of the template."""
    query = (
        sa.select(KeyWorkItem)
        .join(KeyWorkArea, KeyWorkArea.id == KeyWorkItem.area_id)
        .order_by(KeyWorkArea.year, KeyWorkArea.seq, KeyWorkItem.seq)
        .options(sa.orm.contains_eager(KeyWorkItem.area))
    )
    for item in db.session.scalars(query):
        live = [a for a in item.assignments if a.status != "cancelled"]
        yield {
            "year": item.area.year,
            "area_seq": item.area.seq,
            "area_name": item.area.name,
            "seq": item.seq,
            "title": item.title,
            "leader_name": item.leader_name,
            "lead_codes": "、".join(a.unit.code for a in live if a.part == "lead"),
            "support_codes": "、".join(a.unit.code for a in live if a.part == "support"),
            "targets": item.targets,
            "due_on": None,
        }
