"""Dates of any precision: parsing, validation and chronological sorting."""

from __future__ import annotations

from datetime import date

import pytest

from casework.core.types import PartialDate, PartialDateError


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("1979", "1979"),
        ("1979-04", "1979-04"),
        ("1979-04-12", "1979-04-12"),
        ("12.04.1979", "1979-04-12"),
        ("2.4.1979", "1979-04-02"),
        ("04.1979", "1979-04"),
        ("04/1979", "1979-04"),
        (" 2011 ", "2011"),
        # As spreadsheets export dates: unpadded, with slashes, with a time of day.
        ("1979-4-2", "1979-04-02"),
        ("1979/04/12", "1979-04-12"),
        ("1979/4", "1979-04"),
        ("2019-05-03 00:00:00", "2019-05-03"),
        ("03.05.2019 0:00", "2019-05-03"),
        ("2019-05-03T10:20:30.5", "2019-05-03"),
        # Months by name, as Russian and English text writes dates.
        ("апрель 2011", "2011-04"),
        ("12 апреля 1979 г.", "1979-04-12"),
        ("9 июня 2011 года", "2011-06-09"),
        ("Май 2010", "2010-05"),
        ("сент. 2015", "2015-09"),
        ("April 2011", "2011-04"),
        ("12 Apr 2011", "2011-04-12"),
        ("1979 г.", "1979"),
        ("12.04.1979г.", "1979-04-12"),
    ],
)
def test_parse(text, iso):
    assert PartialDate.parse(text).iso() == iso


@pytest.mark.parametrize("text", ["", None, "unknown", "Unknown", "?", "неизвестно"])
def test_unknown_is_none(text):
    assert PartialDate.parse(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "spring 2011", "2011-13", "31.02.2011", "1850", "2011-02-30", "12/31/2011",
        "12/04/2011",  # day or month first? Not guessed.
        "2011-04/12", "2011-4-31", "10:30", "2011 10:30 pm", "31 апреля 2011", "ма 2011",
        "summer 2011",
    ],
)  # fmt: skip
def test_bad_dates_are_clear_errors(text):
    with pytest.raises(PartialDateError):
        PartialDate.parse(text)


def test_sorting_less_precise_first_unknown_last():
    values = ["2011-06-09", None, "2011", "2010-12", "2011-06"]
    dates = [PartialDate.parse(v) for v in values]
    ordered = sorted(dates, key=lambda d: (d is None, d.iso() if d else ""))
    assert [d.iso() if d else None for d in ordered] == [
        "2010-12",
        "2011",
        "2011-06",
        "2011-06-09",
        None,
    ]


def test_bounds():
    d = PartialDate.parse("2012-02")
    assert d.earliest() == date(2012, 2, 1)
    assert d.latest() == date(2012, 2, 29)
    assert PartialDate.parse("2011").latest() == date(2011, 12, 31)


@pytest.mark.parametrize(
    ("typed", "iso"),
    [
        ("c. 2010", "2010"),
        ("c.2010", "2010"),
        ("ca 2010", "2010"),
        ("ca. 2010", "2010"),
        ("circa 2010", "2010"),
        ("approx. 2010", "2010"),
        ("approximately 2010", "2010"),
        ("about 06.2011", "2011-06"),
        ("~2010", "2010"),
        ("около 2011", "2011"),
        ("ок. 2011", "2011"),
        ("прибл. 2011", "2011"),
        ("приблизительно 2011", "2011"),
    ],
)
def test_a_date_typed_as_approximate_is_read_and_flagged(app, typed, iso):
    """Each way of saying "about" is read whole: "circa" is not "c" and "irca"."""
    from casework.core.fields import FieldReader

    r = FieldReader({"when": typed, "approx": False})
    r.partial_date("when", approximate="approx")
    r.flag("approx")
    values = r.values()
    assert (values["when"].iso(), values["approx"]) == (iso, True)


def test_an_abbreviated_month_is_no_approximation(app):
    from casework.core.fields import FieldReader

    r = FieldReader({"when": "окт. 2011", "approx": False})
    r.partial_date("when", approximate="approx")
    r.flag("approx")
    assert (r.values()["when"].iso(), r.values()["approx"]) == ("2011-10", False)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        # A month and its year with a hyphen, as the dotted and slashed ones are read.
        ("12-2011", "2011-12"),
        ("4-1979", "1979-04"),
        # A day written as an ordinal: Russian "1-го", "2-е", English "1st", "22nd".
        ("1-го декабря 2011", "2011-12-01"),
        ("1-го декабря 2011 г.", "2011-12-01"),
        ("2-е мая 2012", "2012-05-02"),
        ("3-его марта 2010", "2010-03-03"),
        ("1st December 2011", "2011-12-01"),
        ("22nd April 1979", "1979-04-22"),
        ("3rd of May 2012", "2012-05-03"),
    ],
)
def test_a_month_with_a_hyphen_and_a_day_as_an_ordinal_are_read(text, iso):
    """Registers write "12-2011" for a month and "1-го декабря 2011" or "1st December 2011"
    for a day: each is that month or day, as "12.2011" and "1 декабря 2011" are."""
    assert PartialDate.parse(text).iso() == iso


@pytest.mark.parametrize("text", ["13-2011", "0-2011", "1-го 2011", "32nd May 2011"])
def test_a_month_with_a_hyphen_or_an_ordinal_day_that_is_none_is_refused(text):
    with pytest.raises(PartialDateError):
        PartialDate.parse(text)
