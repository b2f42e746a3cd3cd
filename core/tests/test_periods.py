import datetime as dt

import pytest

from mesaides.core.periods import ETERNITY_PERIOD, MONTH, YEAR, Period, PeriodError


def test_parse_month_year_eternity():
    assert Period.parse("2026-11") == Period(MONTH, 2026, 11)
    assert Period.parse("2026") == Period(YEAR, 2026, 1)
    assert Period.parse("ETERNITY") is ETERNITY_PERIOD


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-11", "2026/11", "month:2026-11", ""])
def test_bad_periods_say_why(text):
    with pytest.raises(PeriodError) as err:
        Period.parse(text)
    assert text in str(err.value) or "not a period" in str(err.value)


def test_month_arithmetic_crosses_years():
    m = Period.parse("2026-02")
    assert str(m.offset(-2)) == "2025-12"
    assert str(m.offset(11)) == "2027-01"
    assert m.last_month == Period.parse("2026-01")
    assert [str(p) for p in m.last_months(3)] == ["2025-11", "2025-12", "2026-01"]


def test_rolling_year_and_n_2():
    m = Period.parse("2026-11")
    months = m.rolling_year(2)
    assert (str(months[0]), str(months[-1]), len(months)) == ("2025-10", "2026-09", 12)
    assert m.n_2 == Period.parse("2024")
    assert m.this_year == Period.parse("2026")
    assert m.start == dt.date(2026, 11, 1)
    assert [str(p) for p in Period.parse("2024").months][::11] == ["2024-01", "2024-12"]


def test_ends_before():
    month, year = Period.parse("2026-11"), Period.parse("2026")
    assert Period.parse("2026-10").ends_before(month)
    assert not month.ends_before(month)
    assert Period.parse("2025").ends_before(Period.parse("2026-01"))
    assert not year.ends_before(month)  # the year 2026 ends after November starts
    assert not month.ends_before(Period.parse("2026-12").this_year)
    assert not ETERNITY_PERIOD.ends_before(month)
