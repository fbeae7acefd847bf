"""Tests for contento.support.businesshours: worked examples first, then properties.

Dates are checked against a calendar: 2026-03-27 is a Friday, Easter Monday 2026 is 6 April,
Europe/Paris springs forward on Sunday 2026-03-29 (02:00 → 03:00) and falls back on Sunday
2026-10-25 (03:00 → 02:00).
"""

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contento.support.businesshours import (
    Calendar,
    add_business_minutes,
    add_business_time,
    business_minutes_between,
    holidays_from_ical,
    is_open,
    named_holidays_from_ical,
    next_opening,
)

PARIS = ZoneInfo("Europe/Paris")
EASTER_MONDAY = date(2026, 4, 6)
OFFICE = Calendar(
    "Europe/Paris",
    {day: [(time(9), time(17))] for day in range(5)},
    frozenset({EASTER_MONDAY}),
    frozenset({(12, 25)}),
)
LUNCH_BREAK = Calendar(
    "Europe/Paris", {day: [(time(13), time(17)), (time(9), time(12))] for day in range(5)}
)
ALWAYS_PARIS = Calendar.always("Europe/Paris")
# Open on Sundays only, from 02:30: inside the spring-forward gap and the fall-back overlap.
SUNDAY_NIGHT = Calendar("Europe/Paris", {6: [(time(2, 30), time(5))]})


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


# Worked examples ------------------------------------------------------------------------------


def test_friday_afternoon_rolls_over_the_weekend():
    assert add_business_minutes(OFFICE, paris(2026, 3, 27, 16, 30), 60) == paris(2026, 3, 30, 9, 30)


def test_counting_starts_at_the_next_opening():
    assert add_business_minutes(OFFICE, paris(2026, 3, 28, 11), 60) == paris(2026, 3, 30, 10)
    assert add_business_minutes(OFFICE, paris(2026, 3, 30, 7), 60) == paris(2026, 3, 30, 10)
    assert add_business_minutes(OFFICE, paris(2026, 3, 30, 18), 60) == paris(2026, 3, 31, 10)


def test_holiday_is_skipped():
    # Friday 3 April, then Easter Monday is closed: due on Tuesday.
    assert add_business_minutes(OFFICE, paris(2026, 4, 3, 16, 30), 60) == paris(2026, 4, 7, 9, 30)
    assert not is_open(OFFICE, paris(2026, 4, 6, 10))


def test_recurring_holiday_is_closed_every_year():
    assert not is_open(OFFICE, paris(2026, 12, 25, 10))  # a Friday
    assert not is_open(OFFICE, paris(2028, 12, 25, 10))  # a Monday
    assert is_open(OFFICE, paris(2028, 12, 26, 10))


def test_ending_exactly_at_closing_time_is_due_at_closing_time():
    assert add_business_minutes(OFFICE, paris(2026, 3, 27, 16), 60) == paris(2026, 3, 27, 17)


def test_zero_minutes_gives_the_next_opening():
    assert add_business_minutes(OFFICE, paris(2026, 3, 27, 10), 0) == paris(2026, 3, 27, 10)
    assert add_business_minutes(OFFICE, paris(2026, 3, 27, 17), 0) == paris(2026, 3, 30, 9)


def test_several_intervals_a_day():
    assert add_business_minutes(LUNCH_BREAK, paris(2026, 3, 30, 11, 30), 60) == paris(
        2026, 3, 30, 13, 30
    )
    assert add_business_minutes(LUNCH_BREAK, paris(2026, 3, 30, 11, 30), 30) == paris(
        2026, 3, 30, 12
    )
    assert business_minutes_between(LUNCH_BREAK, paris(2026, 3, 30), paris(2026, 3, 31)) == 420
    assert not is_open(LUNCH_BREAK, paris(2026, 3, 30, 12, 30))
    assert next_opening(LUNCH_BREAK, paris(2026, 3, 30, 12, 30)) == paris(2026, 3, 30, 13)


def test_business_minutes_between():
    assert business_minutes_between(OFFICE, paris(2026, 3, 27, 16, 30), paris(2026, 3, 30, 9, 30))
    assert business_minutes_between(
        OFFICE, paris(2026, 3, 27, 16, 30), paris(2026, 3, 30, 9, 30)
    ) == pytest.approx(60)
    # A whole week with Easter Monday: four days of eight hours.
    assert business_minutes_between(OFFICE, paris(2026, 4, 6), paris(2026, 4, 13)) == 4 * 480
    assert business_minutes_between(OFFICE, paris(2026, 3, 30, 10), paris(2026, 3, 30, 9)) == 0


def test_is_open_and_next_opening():
    assert is_open(OFFICE, paris(2026, 3, 27, 9))
    assert not is_open(OFFICE, paris(2026, 3, 27, 17))  # intervals are half-open
    assert next_opening(OFFICE, paris(2026, 3, 27, 17)) == paris(2026, 3, 30, 9)
    assert next_opening(OFFICE, paris(2026, 3, 27, 12)) == paris(2026, 3, 27, 12)
    # Any time zone in, the calendar's out.
    moment = datetime(2026, 3, 27, 20, tzinfo=ZoneInfo("America/New_York"))  # 01:00 Saturday
    opening = next_opening(OFFICE, moment)
    assert opening == paris(2026, 3, 30, 9)
    assert opening.tzinfo == UTC  # results are UTC, so they compare right in any zone


def test_long_span_on_a_sparse_calendar():
    # One hour a week: 10,000 minutes are 166 full Wednesdays and 40 minutes of the 167th.
    sparse = Calendar("UTC", {2: [(time(10), time(11))]})
    start = datetime(2026, 1, 1, tzinfo=UTC)  # a Thursday; the first Wednesday is 7 January
    wednesday = date(2026, 1, 7) + timedelta(weeks=166)
    expected = datetime.combine(wednesday, time(10, 40), tzinfo=UTC)
    assert add_business_minutes(sparse, start, 10_000) == expected
    assert business_minutes_between(sparse, start, expected) == pytest.approx(10_000)


# Daylight-saving time -------------------------------------------------------------------------


def test_always_open_counts_real_time_across_spring_forward():
    start = paris(2026, 3, 28, 12)
    due = add_business_minutes(ALWAYS_PARIS, start, 24 * 60)
    assert due == paris(2026, 3, 29, 13)  # 24 real hours, the clock lost one
    assert due - start == timedelta(hours=24)
    assert business_minutes_between(ALWAYS_PARIS, paris(2026, 3, 29), paris(2026, 3, 30)) == 1380


def test_always_open_counts_real_time_across_fall_back():
    start = paris(2026, 10, 24, 12)
    assert add_business_minutes(ALWAYS_PARIS, start, 24 * 60) == paris(2026, 10, 25, 11)
    assert business_minutes_between(ALWAYS_PARIS, paris(2026, 10, 25), paris(2026, 10, 26)) == 1500


def test_opening_inside_the_spring_forward_gap_opens_at_the_transition():
    # 02:30 does not exist on 29 March: the office opens when the clocks read 03:00.
    opening = next_opening(SUNDAY_NIGHT, paris(2026, 3, 28, 12))
    assert opening == paris(2026, 3, 29, 3)
    assert opening.astimezone(PARIS).utcoffset() == timedelta(hours=2)
    assert business_minutes_between(SUNDAY_NIGHT, paris(2026, 3, 29), paris(2026, 3, 30)) == 120
    assert add_business_minutes(SUNDAY_NIGHT, paris(2026, 3, 28, 20), 60) == paris(2026, 3, 29, 4)


def test_opening_inside_the_fall_back_overlap_opens_at_the_first_occurrence():
    opening = next_opening(SUNDAY_NIGHT, paris(2026, 10, 24, 12))
    assert opening == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    assert business_minutes_between(SUNDAY_NIGHT, paris(2026, 10, 25), paris(2026, 10, 26)) == 210
    due = add_business_minutes(SUNDAY_NIGHT, paris(2026, 10, 24, 20), 60)
    assert due == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # the second 02:30, in CET
    assert due.astimezone(PARIS).fold == 1
    assert is_open(SUNDAY_NIGHT, paris(2026, 10, 25, 2, 45).replace(fold=1))


def test_ordinary_sunday_for_comparison():
    assert business_minutes_between(SUNDAY_NIGHT, paris(2026, 4, 5), paris(2026, 4, 6)) == 150


def test_interval_wholly_inside_the_gap_is_closed_that_day():
    gap_only = Calendar("Europe/Paris", {6: [(time(2, 15), time(2, 45))]})
    assert next_opening(gap_only, paris(2026, 3, 28)) == paris(2026, 4, 5, 2, 15)


def test_half_hour_dst_zone():
    # Lord Howe Island moves its clocks by 30 minutes (2026-04-05 02:00 → 01:30).
    lord_howe = Calendar.always("Australia/Lord_Howe")
    zone = ZoneInfo("Australia/Lord_Howe")
    day = datetime(2026, 4, 5, tzinfo=zone)
    assert business_minutes_between(lord_howe, day, day + timedelta(days=1)) == 24 * 60 + 30


# The calendar itself --------------------------------------------------------------------------


def test_touching_intervals_are_merged_and_sorted():
    calendar = Calendar("UTC", {0: [(time(12), time(13)), (time(9), time(12))]})
    assert calendar.hours == {0: ((time(9), time(13)),)}
    assert calendar == Calendar("UTC", {0: [(time(9), time(13))]})
    assert hash(calendar) == hash(Calendar("UTC", {0: [(time(9), time(13))]}))


def test_midnight_end_means_end_of_day():
    night = Calendar("UTC", {0: [(time(22), time(0))], 1: [(time(0), time(6))]})
    monday = datetime(2026, 3, 30, 22, tzinfo=UTC)
    assert business_minutes_between(night, monday, monday + timedelta(hours=8)) == 480
    assert add_business_minutes(night, monday, 180) == datetime(2026, 3, 31, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({0: [(time(9), time(12)), (time(11), time(14))]}, "overlap"),
        ({0: [(time(17), time(9))]}, "ends before it starts"),
        ({0: [(time(9), time(9))]}, "ends before it starts"),
        ({7: [(time(9), time(17))]}, "Weekdays are numbered"),
        ({0: [(time(9, tzinfo=UTC), time(17))]}, "local times"),
        ({0: [("09:00", "17:00")]}, "not a time of day"),
    ],
)
def test_invalid_hours_are_refused(hours, message):
    with pytest.raises(ValueError, match=message):
        Calendar("UTC", hours)


def test_unknown_time_zone_is_refused():
    with pytest.raises(ValueError, match="Unknown time zone 'Mars/Olympus'"):
        Calendar("Mars/Olympus", {})
    with pytest.raises(ValueError, match="Unknown time zone"):
        Calendar("../etc/passwd", {})


def test_invalid_recurring_holiday_is_refused():
    with pytest.raises(ValueError, match="valid"):
        Calendar("UTC", {}, recurring_holidays=frozenset({(2, 30)}))


def test_dict_round_trip_through_json():
    for calendar in (OFFICE, LUNCH_BREAK, ALWAYS_PARIS, SUNDAY_NIGHT):
        data = json.loads(json.dumps(calendar.to_dict()))
        assert Calendar.from_dict(data) == calendar
    assert ALWAYS_PARIS.to_dict()["hours"]["6"] == [["00:00", "24:00"]]
    assert OFFICE.to_dict()["holidays"] == ["2026-04-06"]
    assert OFFICE.to_dict()["recurring_holidays"] == ["12-25"]


@pytest.mark.parametrize(
    "data",
    [
        [],
        {},
        {"timezone": "UTC", "hours": {"monday": [["09:00", "17:00"]]}},
        {"timezone": "UTC", "hours": {"0": [["9h", "17h"]]}},
        {"timezone": "UTC", "hours": {"0": [["09:00"]]}},
        {"timezone": "UTC", "hours": {"0": [["09:00", "25:00"]]}},
        {"timezone": "UTC", "holidays": ["2026-02-30"]},
        {"timezone": "UTC", "recurring_holidays": ["Christmas"]},
        {"timezone": "Nowhere/Town"},
    ],
)
def test_from_dict_refuses_malformed_data(data):
    with pytest.raises(ValueError):
        Calendar.from_dict(data)


def test_calendar_without_working_time():
    closed = Calendar("UTC", {})
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert not is_open(closed, start)
    assert business_minutes_between(closed, start, start + timedelta(days=30)) == 0
    with pytest.raises(ValueError, match="no working hours"):
        add_business_minutes(closed, start, 10)
    with pytest.raises(ValueError, match="no working hours"):
        next_opening(closed, start)


def test_calendar_closed_every_day_of_the_year_is_refused():
    every_day = frozenset(
        (d.month, d.day) for d in (date(2024, 1, 1) + timedelta(n) for n in range(366))
    )
    never = Calendar("UTC", {0: [(time(9), time(17))]}, recurring_holidays=every_day)
    with pytest.raises(ValueError, match="closed for more than"):
        add_business_minutes(never, datetime(2026, 1, 1, tzinfo=UTC), 10)


def test_naive_datetimes_and_negative_minutes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        add_business_minutes(OFFICE, datetime(2026, 3, 27, 10), 10)
    with pytest.raises(ValueError, match="aware"):
        is_open(OFFICE, datetime(2026, 3, 27, 10))
    with pytest.raises(ValueError, match="finite"):
        add_business_minutes(OFFICE, paris(2026, 3, 27, 10), -1)
    with pytest.raises(ValueError, match="finite"):
        add_business_minutes(OFFICE, paris(2026, 3, 27, 10), float("nan"))
    with pytest.raises(ValueError, match="negative"):
        add_business_time(OFFICE, paris(2026, 3, 27, 10), timedelta(minutes=-1))


# Holidays from iCalendar -----------------------------------------------------------------------

HOLIDAYS_ICS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Contento//Tests//EN\r
BEGIN:VEVENT\r
UID:noel@example.org\r
DTSTART;VALUE=DATE:20240101\r
SUMMARY:Jour de l'an\r
RRULE:FREQ=YEARLY\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:fete-du-travail@example.org\r
DTSTART;VALUE=DATE:20240501\r
DTEND;VALUE=DATE:20240502\r
SUMMARY:F\xc3\xaate du travail\r
RRULE:FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1\r
EXDATE;VALUE=DATE:20250501\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:labor-day@example.org\r
DTSTART;VALUE=DATE:20240902\r
SUMMARY:Labor Day\r
RRULE:FREQ=YEARLY;BYMONTH=9;BYDAY=1MO;COUNT=3\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:thanksgiving@example.org\r
DTSTART;VALUE=DATE:20241128\r
DURATION:P2D\r
SUMMARY:Thanksgiving\r
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH;UNTIL=20260101\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:pont@example.org\r
DTSTART;VALUE=DATE:20260514\r
DTEND;VALUE=DATE:20260516\r
SUMMARY:Ascension et pont\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:meeting@example.org\r
DTSTART:20260601T090000Z\r
DTEND:20260601T100000Z\r
SUMMARY:Staff meeting\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_holidays_from_ical_expands_ranges_and_yearly_rules():
    holidays = holidays_from_ical(HOLIDAYS_ICS)
    # FREQ=YEARLY alone: from 2024 to ten years later.
    assert {date(year, 1, 1) for year in range(2024, 2035)} <= holidays
    assert date(2035, 1, 1) not in holidays
    # EXDATE removes one occurrence.
    assert date(2024, 5, 1) in holidays
    assert date(2025, 5, 1) not in holidays
    assert date(2026, 5, 1) in holidays
    # US Labor Day, first Monday of September, three times.
    assert {date(2024, 9, 2), date(2025, 9, 1), date(2026, 9, 7)} <= holidays
    assert date(2027, 9, 6) not in holidays
    # Thanksgiving, fourth Thursday of November, two days each, until 2026.
    assert {date(2024, 11, 28), date(2024, 11, 29), date(2025, 11, 27), date(2025, 11, 28)} <= (
        holidays
    )
    assert date(2026, 11, 26) not in holidays
    # A two-day event (DTEND is exclusive); the timed meeting is not a holiday.
    assert {date(2026, 5, 14), date(2026, 5, 15)} <= holidays
    assert date(2026, 5, 16) not in holidays
    assert date(2026, 6, 1) not in holidays


def test_named_holidays_from_ical_for_given_years():
    named = named_holidays_from_ical(HOLIDAYS_ICS, years=[2026])
    assert named == {
        date(2026, 1, 1): "Jour de l'an",
        date(2026, 5, 1): "Fête du travail",
        date(2026, 9, 7): "Labor Day",
        date(2026, 5, 14): "Ascension et pont",
        date(2026, 5, 15): "Ascension et pont",
    }
    assert date(2040, 1, 1) in holidays_from_ical(HOLIDAYS_ICS, years=range(2040, 2041))


def test_holidays_from_ical_feed_a_calendar():
    calendar = Calendar(
        "Europe/Paris",
        {day: [(time(9), time(17))] for day in range(5)},
        frozenset(holidays_from_ical(HOLIDAYS_ICS, years=[2026])),
    )
    # Thursday 14 May 2026 16:00 + 2 hours: the bridge closes Friday, so Monday 10:00.
    assert add_business_minutes(calendar, paris(2026, 5, 14, 16), 120) == paris(2026, 5, 18, 11)


def test_last_weekday_of_the_month():
    ics = HOLIDAYS_ICS.replace(b"BYDAY=4TH;UNTIL=20260101", b"BYDAY=-1TH")
    assert date(2026, 11, 26) in holidays_from_ical(ics, years=[2026])  # the last Thursday


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is not a calendar", "Not a valid iCalendar file"),
        (b"", "Not a valid iCalendar file"),
        (
            b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:X\r\nDTSTART:yesterday\r\n"
            b"END:VEVENT\r\nEND:VCALENDAR\r\n",
            "invalid DTSTART",
        ),
        (
            b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:X\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "no DTSTART",
        ),
        (
            b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Weekly\r\nDTSTART;VALUE=DATE:20260105"
            b"\r\nRRULE:FREQ=HOURLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "cannot be expanded",
        ),
        (
            b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Back\r\nDTSTART;VALUE=DATE:20260105"
            b"\r\nDTEND;VALUE=DATE:20260101\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "ends before it starts",
        ),
    ],
)
def test_invalid_ical_is_refused(data, message):
    with pytest.raises(ValueError, match=message):
        holidays_from_ical(data)


# Properties -----------------------------------------------------------------------------------

CALENDARS = st.sampled_from(
    [
        OFFICE,
        LUNCH_BREAK,
        ALWAYS_PARIS,
        SUNDAY_NIGHT,
        Calendar("America/New_York", {day: [(time(8), time(20))] for day in range(1, 6)}),
        Calendar("Australia/Lord_Howe", {0: [(time(1), time(3))], 6: [(time(0), time(0))]}),
        Calendar("UTC", {2: [(time(10), time(11))]}),
    ]
)
# Starts in several zones, imaginary (gap) and folded wall times included.
MOMENTS = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2028, 12, 31),
    timezones=st.sampled_from([UTC, PARIS, ZoneInfo("America/New_York")]),
)
MINUTES = st.floats(min_value=0, max_value=5_000, allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(CALENDARS, MOMENTS, MINUTES)
def test_adding_then_measuring_round_trips(calendar, start, minutes):
    end = add_business_minutes(calendar, start, minutes)
    assert business_minutes_between(calendar, start, end) == pytest.approx(minutes, abs=1e-6)


@settings(max_examples=150, deadline=None)
@given(CALENDARS, MOMENTS, MINUTES)
def test_result_is_open_or_at_an_interval_end(calendar, start, minutes):
    end = add_business_minutes(calendar, start, minutes)
    assert end >= start
    assert is_open(calendar, end) or is_open(calendar, end - timedelta(microseconds=1))


@settings(max_examples=100, deadline=None)
@given(CALENDARS, MOMENTS, MINUTES, MINUTES)
def test_adding_is_monotonic_in_minutes(calendar, start, a, b):
    low, high = sorted((a, b))
    assert add_business_minutes(calendar, start, low) <= add_business_minutes(calendar, start, high)


@settings(max_examples=100, deadline=None)
@given(CALENDARS, MOMENTS, st.timedeltas(timedelta(0), timedelta(days=20)), st.floats(0, 1))
def test_measuring_is_additive(calendar, start, span, fraction):
    start = start.astimezone(UTC)  # add real time, not wall time
    end = start + span
    middle = start + span * fraction
    whole = business_minutes_between(calendar, start, end)
    parts = business_minutes_between(calendar, start, middle) + business_minutes_between(
        calendar, middle, end
    )
    assert parts == pytest.approx(whole, abs=1e-6)
    assert 0 <= whole <= span / timedelta(minutes=1) + 1e-6


def test_weekly_and_monthly_rules_are_expanded():
    data = (
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Inventory\r\nDTSTART;VALUE=DATE:20260105"
        b"\r\nRRULE:FREQ=MONTHLY;BYDAY=1MO;COUNT=3\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nSUMMARY:Closed Sundays\r\nDTSTART;VALUE=DATE:20260104"
        b"\r\nRRULE:FREQ=WEEKLY;UNTIL=20260125T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert holidays_from_ical(data) == {
        date(2026, 1, 5),
        date(2026, 2, 2),
        date(2026, 3, 2),
        date(2026, 1, 4),
        date(2026, 1, 11),
        date(2026, 1, 18),
        date(2026, 1, 25),
    }


def test_a_countrys_public_holidays_survive_the_round_trip():
    calendar = Calendar("Asia/Ho_Chi_Minh", {0: [(time(8), time(17))]}, country="VN")
    again = Calendar.from_dict(json.loads(json.dumps(calendar.to_dict())))
    assert again.country == "VN"
    assert again.is_holiday(date(2028, 9, 2))  # National Day, any year
    with pytest.raises(ValueError, match="No public holidays"):
        Calendar("UTC", {0: [(time(8), time(17))]}, country="XX")
