"""Column types and helpers shared by every model."""

import datetime as dt

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

from models import clock

# Every constraint has a name, so that Alembic's batch mode on SQLite can alter it.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=sa.MetaData(naming_convention=NAMING_CONVENTION))


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and read back as an aware datetime.

    A naive value (what an HTML form gives) is taken as the office's local time.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=clock.office_zone())
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None or value.tzinfo is dt.UTC:
            return value
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Choices:
    """An ordered set of stored values, each with its translated label."""

    def __init__(self, **labels):
        self.labels = labels

    @property
    def values(self):
        return list(self.labels)

    def label(self, value):
        return self.labels.get(value, value)

    def pairs(self):
        return [(value, label) for value, label in self.labels.items()]

    def check(self, column, name=None):
        """A named CHECK constraint allowing only these values in `column`."""
        allowed = ", ".join(f"'{v}'" for v in self.labels)
        return sa.CheckConstraint(f"{column} IN ({allowed})", name=name or column)

    def __contains__(self, value):
        return value in self.labels

    def __iter__(self):
        return iter(self.labels)


class OwnedByUnit:
    """A record of one unit (its `unit_id`): the office sees all, a unit officer their own."""

    @classmethod
    def visible_to(cls, account):
        if account.sees_all_units:
            return sa.true()
        return cls.unit_id == account.unit_id


def info(label, choices=None, **extra):
    """Column info: the label the screens show, and the choices of an enumeration."""
    return {"label": label, "choices": choices, **extra}


class rare(FunctionElement):  # noqa: N801 (used as a function, as SQL's are)
    """SQL: a condition few rows meet (the open assignments among years of closed ones).

    PostgreSQL's statistics know how common each status is; SQLite's (`sqlite_stat1`) know
    only the average rows per value, so a status of 26,000 rows among 150,000 looks like
    half the table, and SQLite walks another index over all of them (200 ms where the
    status index takes 19). SQLite is told, with its own `likelihood()`; elsewhere the
    condition is itself."""

    type = sa.types.NullType()  # not Boolean: SQLite would get `likelihood(...) = 1`
    name = "rare"
    inherit_cache = True


@compiles(rare)
def _rare(element, compiler, **kw):
    return f"({compiler.process(element.clauses, **kw)})"


@compiles(rare, "sqlite")
def _rare_on_sqlite(element, compiler, **kw):
    return f"likelihood({compiler.process(element.clauses, **kw)}, 0.01)"


def text_not_blank(column):
    """A CHECK that a required text column is not empty or only spaces."""
    return sa.CheckConstraint(f"trim({column}) <> ''", name=f"{column}_not_blank")


class RuleError(Exception):
    """A rule refused what was asked. `message` is for the person at the form; `field`
    names the form field it belongs to, if any."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self):
        return str(self.message)


def related(attribute):
    """The class at the other end of a relationship: the records of an assignment reach
    its rules through the mapper, without importing the module that defines it."""
    return attribute.property.mapper.class_


def plain_rows(query):
    """The rows of a Core `query`, on the session's connection: plain rows, without the
    ORM's result handling (for 2,000 rows, a few milliseconds). Read them with `.all()`:
    one at a time costs psycopg twice as much (2,000 rows: 4 ms against 2)."""
    return db.session.connection().execute(query)
