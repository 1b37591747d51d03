"""Importing units (单位), matched by their code; and staff (人员), matched by email."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models.base import db
from models.imports.columns import Column, RowProblem
from models.imports.engine import Importer, Outcome, changes_text, in_chunks, lookup, set_changed
from models.staff import DUTIES, Staff
from models.units import DEFAULT_GROUP, RANKING_GROUPS, UNIT_KINDS, Unit

UNIT_COLUMNS = [
    Column(Unit.code, "code", required=True, max_length=32, note="唯一；已有的单位按代码更新"),
    Column(Unit.name, "name", required=True, max_length=100),
    Column(Unit.kind, "kind", "choice", required=True, choices=UNIT_KINDS),
    Column(
        Unit.ranking_group, "ranking_group", "choice", choices=RANKING_GROUPS, note="留空按单位类型"
    ),
    Column("上级单位代码", "parent_code", max_length=32, note="可以是本文件中的单位"),
    Column(Unit.principal_leader, "principal_leader", max_length=50),
    Column(Unit.principal_leader_email, "principal_leader_email", "email", max_length=120),
    Column(Unit.leader_in_charge, "leader_in_charge", max_length=50),
    Column(Unit.leader_in_charge_email, "leader_in_charge_email", "email", max_length=120),
    Column(Unit.active, "active", "bool", note="是/否，留空为是", aliases=("是否在用",)),
    Column(
        Unit.created_on,
        "created_on",
        "date",
        note="单位纳入排名的日期，留空为导入当天",
        aliases=("纳入日期",),
    ),
]
UNIT_FIELDS = [c for c in UNIT_COLUMNS if c.key not in ("code", "parent_code")]


def _duplicate(first_row):
    return RowProblem(_l("The same record as row %(row)s of this file.", row=first_row))


class UnitImporter(Importer):
    kind = "units"
    columns = UNIT_COLUMNS
    key_columns = ("code",)

    def begin(self, reader, rows):
        self.units = {u.code: u for u in db.session.scalars(sa.select(Unit))}
        self.seen = {}  # code -> first row
        self.parent_codes = {}  # code -> (parent code, outcome)
        file_parents = {v["code"]: v.get("parent_code") for v in rows}
        self.cyclic = _cyclic(file_parents, self.units)
        self.codes = set(self.units) | set(file_parents)

    def apply(self, row, values):
        code = values["code"]
        if code in self.seen:
            raise _duplicate(self.seen[code])
        parent_code = values.get("parent_code")
        self._check_parent(code, parent_code)
        self.seen[code] = row
        unit = self.units.get(code)
        if unit is None:
            outcome = self._create(row, values)
        else:
            changes = set_changed(unit, values, UNIT_FIELDS)
            action = "update" if changes else "unchanged"
            outcome = Outcome(row, action, code, changes_text(changes))
        if parent_code:
            self.parent_codes[code] = (parent_code, outcome)
        return outcome

    def _check_parent(self, code, parent_code):
        if not parent_code:
            return
        if parent_code == code:
            raise RowProblem(_l("A unit cannot be its own parent."))
        if parent_code not in self.codes:
            raise RowProblem(
                _l(
                    "No unit has the code %(code)s (%(column)s).",
                    code=parent_code,
                    column="上级单位代码",
                )
            )
        if code in self.cyclic:
            raise RowProblem(_l("These parent units go round in a circle."))

    def _create(self, row, values):
        fields = {c.key: values[c.key] for c in UNIT_FIELDS if c.key in values}
        fields.setdefault("ranking_group", DEFAULT_GROUP[values["kind"]])
        unit = Unit(code=values["code"], **fields)
        db.session.add(unit)
        self.units[unit.code] = unit
        return Outcome(row, "create", unit.code, unit.name)

    def finish(self, outcomes):
        """Link units to their parents, which may come later in the file."""
        for code, (parent_code, outcome) in self.parent_codes.items():
            unit, parent = self.units[code], self.units[parent_code]
            if unit.parent is parent:
                continue
            old = unit.parent.code if unit.parent is not None else None
            unit.parent = parent
            if outcome.action == "unchanged":
                outcome.action = "update"
            if outcome.action == "update":
                change = changes_text([("上级单位代码", old, parent_code)])
                outcome.detail = "；".join(filter(None, [outcome.detail, change]))


def _cyclic(file_parents, units):
    """Codes whose chain of parents (the file's, else the database's) comes back round."""
    by_id = {u.id: u for u in units.values()}

    def parent_of(code):
        if code in file_parents and file_parents[code]:
            return file_parents[code]
        unit = units.get(code)
        parent = by_id.get(unit.parent_id) if unit is not None else None
        return parent.code if parent is not None else None

    cyclic = set()
    for start in file_parents:
        seen, code = {start}, parent_of(start)
        while code is not None:
            if code == start:
                cyclic.add(start)
                break
            if code in seen:
                break
            seen.add(code)
            code = parent_of(code)
    return cyclic


def unit_rows():
    """Every unit as a row of the template, by code."""
    parents = sa.orm.aliased(Unit)
    query = (
        sa.select(Unit, parents.code)
        .outerjoin(parents, parents.id == Unit.parent_id)
        .order_by(Unit.code)
    )
    for unit, parent_code in db.session.execute(query):
        values = {c.key: getattr(unit, c.key, None) for c in UNIT_COLUMNS}
        values["parent_code"] = parent_code
        yield values


# ---- staff ----

STAFF_COLUMNS = [
    Column(Staff.name, "name", required=True, max_length=50),
    Column("单位代码", "unit_code", required=True, max_length=32),
    Column(Staff.duty, "duty", "choice", choices=DUTIES, note="留空为信息员"),
    Column(Staff.phone, "phone", max_length=30),
    Column(
        Staff.email,
        "email",
        "email",
        required=True,
        max_length=120,
        note="唯一；已有的人员按邮箱更新",
        aliases=("邮箱",),
    ),
    Column(Staff.active, "active", "bool", note="是/否，留空为是", aliases=("是否在用",)),
]
STAFF_FIELDS = [c for c in STAFF_COLUMNS if c.key in ("name", "duty", "phone", "active")]


class UnitCodes:
    """Units by code, loaded a chunk at a time and kept for the rest of the file."""

    def __init__(self):
        self.units = {}

    def load(self, codes):
        missing = {c for c in codes if c and c not in self.units}
        self.units.update(lookup(Unit, Unit.code, missing))

    def get(self, code, column="单位代码"):
        unit = self.units.get(code)
        if unit is None:
            raise RowProblem(
                _l("No unit has the code %(code)s (%(column)s).", code=code, column=column)
            )
        return unit


class StaffImporter(Importer):
    kind = "staff"
    columns = STAFF_COLUMNS
    key_columns = ("email",)

    def begin(self, reader, rows):
        self.codes = UnitCodes()
        self.seen = {}
        self.staff = {}

    def prepare(self, rows):
        self.codes.load(v["unit_code"] for v in rows)
        emails = {v["email"].lower() for v in rows} - set(self.staff)
        for chunk in in_chunks(emails):
            query = sa.select(Staff).where(sa.func.lower(Staff.email).in_(chunk))
            for person in db.session.scalars(query):
                self.staff[person.email.lower()] = person

    def apply(self, row, values):
        email = values["email"].lower()
        if email in self.seen:
            raise _duplicate(self.seen[email])
        unit = self.codes.get(values["unit_code"])
        self.seen[email] = row
        person = self.staff.get(email)
        if person is None:
            fields = {c.key: values[c.key] for c in STAFF_FIELDS if c.key in values}
            person = Staff(email=values["email"], unit=unit, **fields)
            db.session.add(person)
            self.staff[email] = person
            return Outcome(row, "create", values["email"], f"{person.name}（{unit.name}）")
        changes = set_changed(person, values, STAFF_FIELDS)
        if person.unit_id != unit.id:
            changes.append(("单位代码", person.unit.code, unit.code))
            person.unit = unit
        action = "update" if changes else "unchanged"
        return Outcome(row, action, values["email"], changes_text(changes))


def staff_rows():
    """Every person with an email as a row of the template, by unit and name."""
    query = (
        sa.select(Staff, Unit.code)
        .join(Unit, Unit.id == Staff.unit_id)
        .where(Staff.email.is_not(None))
        .order_by(Unit.code, Staff.name, Staff.id)
    )
    for person, code in db.session.execute(query):
        values = {c.key: getattr(person, c.key, None) for c in STAFF_COLUMNS}
        values["unit_code"] = code
        yield values
