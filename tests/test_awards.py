"""Awards without HTTP: pay rates as of a day, the year's payment sheet per unit and per
author, filing it, and commendations."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from models import Instruction, PayRate, db
from models.awards import (
    ZERO,
    FilingError,
    award_filings,
    award_sheet,
    changed_units,
    commendation_problems,
    file_year,
    rate_on,
    rate_problems,
    year_as_of,
)
from tests import factories

D = dt.date
TODAY = D(2026, 11, 20)
CHANGE = D(2026, 6, 1)  # the city rate goes from 50.00 to 80.00 on this day


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


def _rate(level, amount, valid_from=D(2026, 1, 1), kind="adoption"):
    line = PayRate(kind=kind, level=level, amount=Decimal(amount), valid_from=valid_from)
    db.session.add(line)
    db.session.flush()
    return line


def _adopt(unit, publication, day, author="李明"):
    report = factories.report(unit, author=author, status="adopted")
    return factories.adoption(report, publication, adopted_on=day)


@pytest.fixture
def office(ctx):
    """Units A (two authors) and B, a city and a province publication, the city rate
    changing on CHANGE."""
    a = factories.unit(code="A", name="甲镇")
    b = factories.unit(code="B", name="乙镇")
    city = factories.publication(level="city")
    province = factories.publication(level="province")
    _rate("city", "50.00")
    _rate("city", "80.00", CHANGE)
    _rate("province", "120.50")
    _rate("city", "20.00", kind="instruction")
    return a, b, city, province


def test_an_adoption_is_paid_at_the_rate_of_its_own_day_at_the_boundary(office):
    a, _b, city, _province = office
    _adopt(a, city, CHANGE - dt.timedelta(days=1))  # 50.00
    _adopt(a, city, CHANGE)  # 80.00
    sheet = award_sheet(2026, today=TODAY)
    (line,) = sheet.authors
    assert line.items["city"] == 2
    assert line.amount == Decimal("130.00")
    assert rate_on("adoption", "city", CHANGE - dt.timedelta(days=1)) == Decimal("50.00")
    assert rate_on("adoption", "city", CHANGE) == Decimal("80.00")
    assert rate_on("adoption", "city", D(2025, 12, 31)) is None


def test_an_instruction_is_paid_at_its_level_and_day(office):
    a, _b, city, _province = office
    adoption = _adopt(a, city, D(2026, 3, 2))
    db.session.add(
        Instruction(
            report=adoption.report,
            leader_name="市委书记",
            leader_level="city",
            instructed_on=D(2026, 3, 5),
        )
    )
    db.session.flush()
    (line,) = award_sheet(2026, today=TODAY).authors
    assert (line.items["city"], line.instructions, line.amount) == (1, 1, Decimal("70.00"))


def test_items_without_a_rate_are_counted_and_paid_nothing(office):
    a, _b, _city, _province = office
    county = factories.publication(level="county")
    _adopt(a, county, D(2026, 4, 1))
    sheet = award_sheet(2026, today=TODAY)
    assert sheet.unrated == 1
    assert (sheet.authors[0].items["county"], sheet.authors[0].amount) == (1, ZERO)


def test_sums_per_author_per_unit_and_in_all(office):
    a, b, city, province = office
    _adopt(a, city, D(2026, 3, 1), author="李明")
    _adopt(a, province, D(2026, 3, 1), author="李明")
    _adopt(a, city, D(2026, 7, 1), author="王芳")
    _adopt(b, city, D(2026, 7, 1), author="李明")  # the same name in another unit
    _adopt(b, city, D(2025, 12, 31), author="李明")  # last year's: not on this sheet
    sheet = award_sheet(2026, today=TODAY)
    authors = {(line.unit, line.author): line for line in sheet.authors}
    assert authors[("甲镇", "李明")].amount == Decimal("170.50")
    assert authors[("甲镇", "王芳")].amount == Decimal("80.00")
    assert authors[("乙镇", "李明")].amount == Decimal("80.00")
    units = {line.unit: line for line in sheet.units}
    assert (units["甲镇"].adopted, units["甲镇"].amount) == (3, Decimal("250.50"))
    assert (units["乙镇"].adopted, units["乙镇"].amount) == (1, Decimal("80.00"))
    assert (sheet.total.adopted, sheet.total.amount) == (4, Decimal("330.50"))
    assert [line.unit for line in sheet.units] == ["甲镇", "乙镇"]
    # A unit's own sheet holds only its lines.
    own = award_sheet(2026, unit_ids=[b.id], today=TODAY)
    assert [line.unit for line in own.authors] == ["乙镇"]


def test_amounts_are_exact_to_the_fen(ctx):
    unit, pub = factories.unit(), factories.publication(level="county")
    _rate("county", "0.10")
    for day in (1, 2, 3):
        _adopt(unit, pub, D(2026, 2, day))
    assert award_sheet(2026, today=TODAY).total.amount == Decimal("0.30")


def test_as_of_a_day_leaves_out_later_adoptions(office):
    a, _b, city, _province = office
    _adopt(a, city, D(2026, 3, 1))
    _adopt(a, city, D(2026, 9, 1))
    assert award_sheet(2026, as_of=D(2026, 8, 31), today=TODAY).total.adopted == 1
    assert award_sheet(2026, today=TODAY).total.adopted == 2
    assert year_as_of(2026, today=TODAY) == TODAY
    assert year_as_of(2025, today=TODAY) == D(2025, 12, 31)
    assert year_as_of(2026, D(2030, 1, 1), today=TODAY) == TODAY
    assert year_as_of(2026, D(2020, 1, 1), today=TODAY) == D(2026, 1, 1)


def test_a_filed_sheet_keeps_its_figures_after_a_rate_change_and_a_late_adoption(office):
    a, b, city, _province = office
    _adopt(a, city, D(2026, 3, 1))
    _adopt(b, city, D(2026, 7, 1))
    filing = file_year(2026, None, as_of=D(2026, 10, 31), today=TODAY)
    db.session.commit()
    # Later: the office corrects the rate from the day of the change, and an adoption of
    # August is recorded only now.
    line = PayRate.query.filter_by(kind="adoption", level="city", valid_from=CHANGE).one()
    line.amount = Decimal("90.00")
    _adopt(a, city, D(2026, 8, 15), author="王芳")
    db.session.commit()
    filed = award_filings(2026)[0].sheet()
    assert filed.as_of == D(2026, 10, 31) and filing.as_of == D(2026, 10, 31)
    assert {line.unit: line.amount for line in filed.units} == {
        "甲镇": Decimal("50.00"),
        "乙镇": Decimal("80.00"),
    }
    assert filed.total.amount == Decimal("130.00")
    again = award_sheet(2026, as_of=filed.as_of, today=TODAY)
    assert again.total.amount == Decimal("230.00")  # 50 + 90 + 90
    assert changed_units(filed, again) == ["乙镇", "甲镇"]
    # A unit's view of the filing holds its lines only.
    assert [line.unit for line in award_filings(2026)[0].sheet({b.id}).authors] == ["乙镇"]


def test_filing_again_needs_a_reason_and_a_year_to_come_cannot_be_filed(office):
    file_year(2026, None, today=TODAY)
    db.session.flush()
    with pytest.raises(FilingError):
        file_year(2026, None, today=TODAY)
    with pytest.raises(FilingError):
        file_year(2026, None, note="x" * 1001, today=TODAY)
    with pytest.raises(FilingError):
        file_year(2027, None, today=TODAY)
    assert file_year(2026, None, note="补录8月采用", today=TODAY).note == "补录8月采用"


@pytest.mark.parametrize(
    ("amount", "ok"),
    [
        ("0", True),
        ("0.01", True),
        ("10000.00", True),
        ("10000.01", False),
        ("-0.01", False),
        ("1.005", False),
        ("NaN", False),
        ("Infinity", False),
        ("1E+400", False),
    ],
)
def test_a_rate_is_a_sum_from_0_to_the_maximum_to_the_fen(ctx, amount, ok):
    found = rate_problems("adoption", "city", Decimal(amount), D(2026, 1, 1))
    assert (found == []) is ok, found


def test_a_rate_has_one_line_a_day_and_the_database_refuses_a_negative_one(office):
    assert rate_problems("adoption", "city", Decimal("60"), CHANGE)[0][0] == "valid_from"
    assert rate_problems("adoption", "city", Decimal("60"), D(2026, 6, 2)) == []
    assert rate_problems("bonus", "town", Decimal("1"), CHANGE) == [
        ("kind", rate_problems("bonus", "city", None, None)[0][1]),
        ("level", rate_problems("adoption", "town", None, None)[0][1]),
    ]
    db.session.add(PayRate(kind="adoption", level="county", amount=-1, valid_from=CHANGE))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_commendation_rules(ctx):
    a, b = factories.unit(), factories.unit()
    person = factories.staff(a)
    assert commendation_problems(2025, D(2026, 1, 15), a, person, today=TODAY) == []
    assert commendation_problems(2026, D(2026, 11, 20), a, None, today=TODAY) == []
    fields = {
        name
        for name, _message in commendation_problems(2027, D(2026, 12, 1), b, person, today=TODAY)
    }
    assert fields == {"year", "awarded_on", "staff"}
    assert [f for f, _m in commendation_problems(2026, D(2025, 12, 1), a, None, TODAY)] == [
        "awarded_on"
    ]
    assert [f for f, _m in commendation_problems(1999, D(2026, 1, 1), a, None, TODAY)] == ["year"]
