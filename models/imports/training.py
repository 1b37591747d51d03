"""Importing training records (培训记录): the person by email, the record by its person,
kind and first day (importing the same file again changes nothing)."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models.base import db
from models.imports.columns import Column, RowProblem
from models.imports.engine import Importer, Outcome, changes_text, in_chunks, set_changed
from models.staff import Staff
from models.training import TRAINING_KINDS, Training, training_problems
from models.units import Unit

TRAINING_COLUMNS = [
    Column("邮箱", "email", "email", required=True, max_length=120, note="人员的邮箱"),
    Column(Training.kind, "kind", "choice", required=True, choices=TRAINING_KINDS),
    Column(
        Training.started_on,
        "started_on",
        "date",
        required=True,
        note="同一人同一方式同一天开始的记录按此更新",
    ),
    Column(Training.ended_on, "ended_on", "date", required=True, note="不早于开始日期"),
    Column(Training.hours, "hours", "int", required=True, note="每个培训日 1 至 24 学时"),
    Column(Training.place, "place", max_length=100),
    Column(Training.note, "note", aliases=("备注",)),
]
TRAINING_FIELDS = [c for c in TRAINING_COLUMNS if c.key in ("ended_on", "hours", "place", "note")]


class TrainingImporter(Importer):
    kind = "trainings"
    columns = TRAINING_COLUMNS
    key_columns = ("email", "kind", "started_on")

    def begin(self, reader, rows):
        self.people = {}  # email (lower case) -> Staff
        self.records = {}  # (staff id, kind, first day) -> Training
        self.seen = {}  # the same key -> first row

    def prepare(self, rows):
        emails = {v["email"].lower() for v in rows} - set(self.people)
        for chunk in in_chunks(emails):
            query = sa.select(Staff).where(sa.func.lower(Staff.email).in_(chunk))
            for person in db.session.scalars(query):
                self.people[person.email.lower()] = person
        ids = [p.id for p in self.people.values() if p.id is not None]
        for chunk in in_chunks(ids):
            for record in db.session.scalars(
                sa.select(Training).where(Training.staff_id.in_(chunk))
            ):
                self.records.setdefault((record.staff_id, record.kind, record.started_on), record)

    def apply(self, row, values):
        person = self.people.get(values["email"].lower())
        if person is None:
            raise RowProblem(_l("No person has the email %(email)s.", email=values["email"]))
        key = (person.id, values["kind"], values["started_on"])
        if key in self.seen:
            raise RowProblem(_l("The same record as row %(row)s of this file.", row=self.seen[key]))
        record = self.records.get(key)
        merged = {
            name: values.get(name, getattr(record, name, None))
            for name in ("started_on", "ended_on", "hours")
        }
        problems = training_problems(merged["started_on"], merged["ended_on"], merged["hours"])
        if problems:
            raise RowProblem("；".join(str(message) for _field, message in problems))
        self.seen[key] = row
        name = f"{person.name}（{self._unit_name(person)}）"
        if record is None:
            fields = {c.key: values[c.key] for c in TRAINING_FIELDS if c.key in values}
            record = Training(
                staff=person, kind=values["kind"], started_on=values["started_on"], **fields
            )
            db.session.add(record)
            self.records[key] = record
            return Outcome(row, "create", self.key(values), name)
        changes = set_changed(record, values, TRAINING_FIELDS)
        return Outcome(
            row, "update" if changes else "unchanged", self.key(values), changes_text(changes)
        )

    @staticmethod
    def _unit_name(person):
        unit = person.unit or db.session.get(Unit, person.unit_id)
        return unit.name if unit else ""


def training_rows():
    """Every training record of a person with an email, as a row of the template."""
    query = (
        sa.select(Training, Staff.email)
        .join(Staff, Staff.id == Training.staff_id)
        .where(Staff.email.is_not(None))
        .order_by(Staff.email, Training.started_on, Training.id)
    )
    for record, email in db.session.execute(query):
        values = {c.key: getattr(record, c.key, None) for c in TRAINING_COLUMNS}
        values["email"] = email
        yield values
