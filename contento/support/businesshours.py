"""Business calendars: when a support team is at work, and time counted in business minutes.

A calendar follows Zammad's model (https://admin-docs.zammad.org/en/latest/manage/calendars.html):
a time zone, working hours per weekday with any number of intervals a day (09:00–12:00 and
13:00–17:00), and public holidays, either on one date or every year on the same day, which can be
imported from an iCalendar feed. SLA targets are counted in business minutes of such a calendar.

Working hours are wall-clock times in the calendar's time zone; a business minute is a real
(elapsed) minute while the calendar is open. Each local interval [a, b) is mapped to real time
by one monotonic rule, so that daylight-saving transitions never crash nor make intervals overlap:

- a wall time that occurs twice (autumn fall-back) means its first occurrence;
- a wall time that does not exist (spring-forward gap) means the moment of the transition, the
  first real moment whose wall time is later.

So an interval 00:00–24:00 lasts 23 hours on the spring-forward day and 25 on the fall-back day,
an interval opening at 02:30 on a spring-forward day in Paris opens at 03:00, and on a fall-back
day an interval 00:00–02:30 ends at the first 02:30 (the repeated half hour is closed).

Interval ends: ``time(0, 0)`` as an end means midnight at the end of the day (24:00), so
``(time(0, 0), time(0, 0))`` is the whole day. Intervals never cross midnight: write 22:00–06:00
as 22:00–24:00 on one day and 00:00–06:00 on the next.

Every datetime returned is in UTC. (Python compares and subtracts two datetimes that share a
`ZoneInfo` by their wall time, which is wrong across a fall-back hour; UTC results avoid that.
Convert for display.) This module imports nothing from Django.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
import icalendar
from dateutil.rrule import rrulestr  # type: ignore[import-untyped]

__all__ = [
    "Calendar",
    "add_business_minutes",
    "add_business_time",
    "business_minutes_between",
    "business_time_between",
    "holidays_from_ical",
    "is_open",
    "named_holidays_from_ical",
    "next_opening",
]

_DAY = 86_400  # seconds
_MINUTE = timedelta(minutes=1)
# After its last one-off holiday, a calendar closed this many days in a row is taken for one
# that never opens (say, every date is a yearly holiday): no real team closes for 8 years.
_MAX_CLOSED_DAYS = 366 * 8
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


@dataclass(frozen=True)
class Calendar:
    """A team's business hours: time zone, weekly working intervals and holidays.

    `hours` maps a weekday (0 = Monday … 6 = Sunday) to its working intervals as
    ``(start, end)`` local times; an end of ``time(0, 0)`` means 24:00. Weekdays absent or
    empty are closed. Intervals are stored sorted, with touching ones merged (09:00–12:00 and
    12:00–13:00 become 09:00–13:00). `holidays` are closed dates; `recurring_holidays` are
    ``(month, day)`` pairs closed every year (``(2, 29)`` only in leap years). `country` (ISO
    3166 code) and `subdivision` close the public holidays of that country and region, as the
    `holidays` library knows them offline, every year.
    """

    timezone: str
    hours: Mapping[int, Sequence[tuple[time, time]]] = field(hash=False)
    holidays: frozenset[date] = frozenset()
    recurring_holidays: frozenset[tuple[int, int]] = frozenset()
    country: str = ""
    subdivision: str = ""
    # Derived: the intervals per weekday in seconds since local midnight, and the zone.
    _week: tuple[tuple[tuple[int, int], ...], ...] = field(
        init=False, repr=False, compare=False, hash=True
    )
    _zone: ZoneInfo = field(init=False, repr=False, compare=False, hash=False)
    _public: Any = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.timezone, str) or not self.timezone:
            raise ValueError("The calendar needs an IANA time zone name, such as 'Europe/Paris'.")
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"Unknown time zone {self.timezone!r}.") from error
        unknown = [day for day in self.hours if not (isinstance(day, int) and 0 <= day <= 6)]
        if unknown:
            raise ValueError(f"Weekdays are numbered 0 (Monday) to 6 (Sunday), not {unknown[0]!r}.")
        week = tuple(_normalise_day(day, self.hours.get(day, ())) for day in range(7))
        hours = {
            day: tuple((_to_time(a), _to_time(b, end=True)) for a, b in week[day])
            for day in range(7)
            if week[day]
        }
        for month, day in self.recurring_holidays:
            try:
                date(2000, month, day)  # a leap year, so 29 February is valid
            except (TypeError, ValueError) as error:
                raise ValueError(
                    f"A yearly holiday needs a valid (month, day), not {(month, day)!r}."
                ) from error
        for holiday in self.holidays:
            if not isinstance(holiday, date) or isinstance(holiday, datetime):
                raise ValueError(f"Holidays must be dates, not {holiday!r}.")
        object.__setattr__(self, "hours", hours)
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "recurring_holidays", frozenset(self.recurring_holidays))
        object.__setattr__(self, "_week", week)
        object.__setattr__(self, "_zone", zone)
        object.__setattr__(self, "_public", public_holidays(self.country, self.subdivision))

    @classmethod
    def always(cls, timezone: str = "UTC") -> Calendar:
        """Return a calendar open around the clock, every day of the year (24/7)."""
        whole_day = [(time(0, 0), time(0, 0))]
        return cls(timezone, dict.fromkeys(range(7), whole_day))

    @property
    def zone(self) -> ZoneInfo:
        """Return the calendar's time zone."""
        return self._zone

    @property
    def has_working_hours(self) -> bool:
        """Whether any weekday has working hours."""
        return any(self._week)

    def is_holiday(self, day: date) -> bool:
        """Return whether `day` (a local date) is a holiday."""
        return (
            day in self.holidays
            or (day.month, day.day) in self.recurring_holidays
            or (self._public is not None and day in self._public)
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the calendar as JSON-ready data, the inverse of `from_dict`.

        Weekdays are string keys "0" (Monday) to "6"; times are "HH:MM" (or "HH:MM:SS"), with
        "24:00" for an interval ending at midnight; holidays are ISO dates and yearly ones
        "MM-DD".
        """
        return {
            "timezone": self.timezone,
            "hours": {
                str(day): [[_format(a), _format(b)] for a, b in self._week[day]]
                for day in range(7)
                if self._week[day]
            },
            "holidays": sorted(day.isoformat() for day in self.holidays),
            "recurring_holidays": [f"{m:02d}-{d:02d}" for m, d in sorted(self.recurring_holidays)],
            **({"country": self.country, "subdivision": self.subdivision} if self.country else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calendar:
        """Build a calendar from `to_dict` data; raise ValueError on anything malformed."""
        if not isinstance(data, Mapping):
            raise ValueError("A calendar must be a JSON object.")
        timezone = data.get("timezone")
        if not isinstance(timezone, str):
            raise ValueError("The calendar has no time zone.")
        raw_hours = data.get("hours", {})
        if not isinstance(raw_hours, Mapping):
            raise ValueError("The calendar's hours must map weekdays to lists of intervals.")
        hours: dict[int, list[tuple[time, time]]] = {}
        for key, intervals in raw_hours.items():
            try:
                day = int(key)
            except (TypeError, ValueError) as error:
                raise ValueError(f"{key!r} is not a weekday number (0 to 6).") from error
            if not isinstance(intervals, list | tuple):
                raise ValueError(f"The hours of weekday {day} must be a list of intervals.")
            parsed = []
            for interval in intervals:
                if not isinstance(interval, list | tuple) or len(interval) != 2:
                    raise ValueError(f"{interval!r} is not a [start, end] pair of times.")
                parsed.append((_parse_time(interval[0]), _parse_time(interval[1])))
            hours[day] = parsed
        holidays = set()
        for value in _list(data.get("holidays", []), "holidays"):
            try:
                holidays.add(date.fromisoformat(value))
            except (TypeError, ValueError) as error:
                raise ValueError(f"{value!r} is not a date (YYYY-MM-DD).") from error
        recurring = set()
        for value in _list(data.get("recurring_holidays", []), "recurring_holidays"):
            match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", value) if isinstance(value, str) else None
            if match is None:
                raise ValueError(f"{value!r} is not a yearly holiday (MM-DD).")
            recurring.add((int(match[1]), int(match[2])))
        country, subdivision = data.get("country", ""), data.get("subdivision", "")
        if not isinstance(country, str) or not isinstance(subdivision, str):
            raise ValueError("The calendar's country and region must be codes.")
        return cls(timezone, hours, frozenset(holidays), frozenset(recurring), country, subdivision)


def holiday_countries() -> dict[str, tuple[str, list[str]]]:
    """The countries whose public holidays are known offline: code → (name, region codes)."""
    names = dict(_holiday_registry())
    return {
        code: (names.get(code, code), sorted(regions))
        for code, regions in sorted(holidays_lib.list_supported_countries().items())
    }


def _holiday_registry() -> Iterator[tuple[str, str]]:
    """(code, English name) of each country in the library's registry ("AlandIslands" is
    spelt "Aland Islands")."""
    for entry in holidays_lib.registry.COUNTRIES.values():
        yield entry[1], re.sub(r"(?<=[a-z])(?=[A-Z])", " ", entry[0])


def public_holidays(country: str, subdivision: str = "") -> holidays_lib.HolidayBase | None:
    """The public holidays of `country` (and `subdivision`), computed per year on demand;
    None without a country. Raise ValueError for a country or region the library lacks."""
    if not country:
        if subdivision:
            raise ValueError("A region needs its country.")
        return None
    supported = holidays_lib.list_supported_countries()
    if country not in supported:
        raise ValueError(f"No public holidays are known for the country {country!r}.")
    if subdivision and subdivision not in supported[country]:
        raise ValueError(f"{country} has no region {subdivision!r}.")
    return holidays_lib.country_holidays(country, subdiv=subdivision or None)


def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"The calendar's {name} must be a list.")
    return list(value)


def _seconds(moment: time) -> int:
    if not isinstance(moment, time):
        raise ValueError(f"{moment!r} is not a time of day.")
    if moment.tzinfo is not None:
        raise ValueError("Working hours are local times of the calendar; drop their tzinfo.")
    if moment.microsecond:
        raise ValueError("Working hours are precise to the second.")
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _normalise_day(day: int, intervals: Sequence[tuple[time, time]]) -> tuple[tuple[int, int], ...]:
    spans = []
    for interval in intervals:
        try:
            start, end = interval
        except (TypeError, ValueError) as error:
            raise ValueError(f"{interval!r} is not a (start, end) pair of times.") from error
        a, b = _seconds(start), _seconds(end) or _DAY
        if b <= a:
            raise ValueError(
                f"On {_WEEKDAYS[day]}, the interval {_format(a)}–{_format(b)} ends before it"
                " starts; split intervals that cross midnight over two days."
            )
        spans.append((a, b))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a < merged[-1][1]:
            prev = merged[-1]
            raise ValueError(
                f"On {_WEEKDAYS[day]}, the intervals {_format(prev[0])}–{_format(prev[1])} and"
                f" {_format(a)}–{_format(b)} overlap."
            )
        if merged and a == merged[-1][1]:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return tuple(merged)


def _format(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def _to_time(seconds: int, *, end: bool = False) -> time:
    if end and seconds == _DAY:
        return time(0, 0)
    hours, rest = divmod(seconds, 3600)
    return time(hours, *divmod(rest, 60))


def _parse_time(value: Any) -> time:
    match = _TIME.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{value!r} is not a time (HH:MM).")
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    if (hours, minutes, seconds) == (24, 0, 0):
        return time(0, 0)
    if hours > 23 or minutes > 59 or seconds > 59:
        raise ValueError(f"{value!r} is not a time (HH:MM).")
    return time(hours, minutes, seconds)


# Local wall time → real time -----------------------------------------------------------------


def _instant(zone: ZoneInfo, day: date, seconds: int) -> datetime:
    """Return the real (UTC) moment of wall time `seconds` after local midnight of `day`.

    An ambiguous wall time gives its first occurrence (fold=0); one in a gap gives the moment
    of the transition, so that the mapping is monotonic.
    """
    naive = datetime.combine(day, time()) + timedelta(seconds=seconds)
    first = naive.replace(tzinfo=zone).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first
    # In a gap fold=0 reads the time with the offset before the transition, which lands after
    # the transition; fold=1 reads it with the offset after, which lands before. The transition
    # is in between: find it to the second (transitions in tzdata are whole seconds).
    low = int(naive.replace(tzinfo=zone, fold=1).astimezone(UTC).timestamp())
    high = math.ceil(first.timestamp())
    before = datetime.fromtimestamp(low, UTC).astimezone(zone).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, UTC).astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, UTC)


@lru_cache(maxsize=8192)
def _day_spans(calendar: Calendar, day: date) -> tuple[tuple[datetime, datetime], ...]:
    """Return the real-time (UTC) working spans of local date `day`, in order."""
    if calendar.is_holiday(day):
        return ()
    intervals = calendar._week[day.weekday()]
    if not intervals:
        return ()
    zone = calendar._zone
    spans = []
    for a, b in intervals:
        start = _instant(zone, day, a)
        end = _instant(zone, day, b)
        if end > start:  # an interval that lies wholly in a DST gap has no real time
            spans.append((start, end))
    return tuple(spans)


def _spans(calendar: Calendar, after: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Yield the working spans (UTC, half-open) that end after `after`, in order, forever.

    Spans of consecutive intervals may touch (24/7 yields one span a day) but never overlap.
    Raise ValueError if the calendar never opens.
    """
    if not calendar.has_working_hours:
        raise ValueError("The calendar has no working hours at all.")
    # Start a day early: the spans of the local date before may reach past `after` when a
    # transition falls at midnight.
    day = after.astimezone(calendar._zone).date() - timedelta(days=1)
    last_holiday = max(calendar.holidays, default=date.min)
    closed = 0
    while True:
        spans = _day_spans(calendar, day)
        if spans:
            closed = 0
        else:
            closed += 1
            if closed > _MAX_CLOSED_DAYS and day > last_holiday:
                raise ValueError(
                    f"The calendar is closed for more than {_MAX_CLOSED_DAYS} days after {after}."
                )
        for span in spans:
            if span[1] > after:
                yield span
        day += timedelta(days=1)


def _utc(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (with a time zone).")
    return moment.astimezone(UTC)


# Public API ---------------------------------------------------------------------------------


def is_open(calendar: Calendar, moment: datetime) -> bool:
    """Return whether the calendar is open at `moment` (an aware datetime)."""
    if not calendar.has_working_hours:
        return False
    moment = _utc(moment, "moment")
    start, _end = next(_spans(calendar, moment))
    return start <= moment


def next_opening(calendar: Calendar, moment: datetime) -> datetime:
    """Return `moment` if the calendar is open then, else when it next opens (in UTC).

    Raise ValueError if the calendar never opens.
    """
    utc = _utc(moment, "moment")
    start, _end = next(_spans(calendar, utc))
    return max(start, utc)


def add_business_time(calendar: Calendar, start: datetime, duration: timedelta) -> datetime:
    """Return the first moment when `duration` of business time has passed since `start`.

    Counting begins at `start`, or at the next opening when the calendar is closed then. The
    result is in UTC; it is a moment when the calendar is open, or the end
    of a working interval when the duration runs out exactly there (due at 17:00, not at 09:00
    the next working day). A zero duration gives the next opening. Raise ValueError for a
    negative duration or a calendar that never opens.
    """
    if duration < timedelta(0):
        raise ValueError("Cannot add a negative business time.")
    cursor = _utc(start, "start")
    left = duration
    for span_start, span_end in _spans(calendar, cursor):
        begin = max(span_start, cursor)
        length = span_end - begin
        if left <= length:
            return begin + left
        left -= length
    raise AssertionError("unreachable: _spans never ends")  # pragma: no cover


def add_business_minutes(calendar: Calendar, start: datetime, minutes: float) -> datetime:
    """Return the moment when `minutes` business minutes have elapsed from `start`.

    See `add_business_time`; minutes are rounded to the microsecond.
    """
    if not math.isfinite(minutes) or minutes < 0:
        raise ValueError(f"Business minutes must be a finite number ≥ 0, not {minutes!r}.")
    return add_business_time(calendar, start, timedelta(minutes=minutes))


def business_time_between(calendar: Calendar, start: datetime, end: datetime) -> timedelta:
    """Return the business time between `start` and `end`; zero if `end` is not after `start`."""
    start, end = _utc(start, "start"), _utc(end, "end")
    total = timedelta(0)
    if end <= start or not calendar.has_working_hours:
        return total
    for span_start, span_end in _spans(calendar, start):
        if span_start >= end:
            break
        total += min(span_end, end) - max(span_start, start)
    return total


def business_minutes_between(calendar: Calendar, start: datetime, end: datetime) -> float:
    """Return the business minutes between `start` and `end`; 0 if `end` is not after `start`."""
    return business_time_between(calendar, start, end) / _MINUTE


# Holidays from iCalendar ---------------------------------------------------------------------

_DEFAULT_YEARS = 10
# More dates than any calendar of holidays holds over its years: a rule that makes more is cut.
_MAX_OCCURRENCES = 5000


def holidays_from_ical(data: bytes | str, years: Iterable[int] | None = None) -> set[date]:
    """Return the holiday dates of an iCalendar file; see `named_holidays_from_ical`."""
    return set(named_holidays_from_ical(data, years))


def named_holidays_from_ical(
    data: bytes | str, years: Iterable[int] | None = None
) -> dict[date, str]:
    """Return the holidays of an iCalendar file (.ics) as {date: name}.

    Every all-day VEVENT counts, each date of a multi-day event (DTEND is exclusive, as in
    RFC 5545 §3.6.1); timed events are ignored, since a holiday closes whole days. Yearly
    recurrences (any RRULE repeating yearly, monthly, weekly or daily, expanded by dateutil),
    RDATE and EXDATE are expanded over `years`,
    or, without it, from each event's first year to ten years later; with `years`, only dates
    in those years are returned. Raise ValueError for a file that is not iCalendar, a broken
    event, or a recurrence rule this function cannot expand (say, FREQ=HOURLY).
    """
    if isinstance(data, str):
        data = data.encode()
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise ValueError(f"Not a valid iCalendar file: {error}") from error
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        raise ValueError("Not a valid iCalendar file: it has no VCALENDAR.")
    wanted = None if years is None else frozenset(years)
    holidays: dict[date, str] = {}
    for event in calendar.walk("VEVENT"):
        name = str(event.get("SUMMARY", "")).strip()
        label = repr(name) if name else f"without a SUMMARY (UID {event.get('UID', '?')})"
        first = _event_date(event, "DTSTART", label)
        if first is None:
            continue  # a timed event
        last = _event_end(event, first, label)
        length = (last - first).days
        for start in _occurrences(event, first, wanted, label):
            for offset in range(length):
                day = start + timedelta(days=offset)
                if wanted is None or day.year in wanted:
                    holidays.setdefault(day, name)
    return holidays


def _dt(prop: Any) -> Any:
    """Return the decoded value of an iCalendar property, or None if it is broken."""
    try:
        return prop.dt
    except (AttributeError, ValueError):  # icalendar's vBroken raises ValueError on .dt
        return None


def _event_date(event: icalendar.Component, key: str, label: str) -> date | None:
    prop = event.get(key)
    if prop is None:
        if key == "DTSTART":
            raise ValueError(f"The event {label} has no DTSTART.")
        return None
    value = _dt(prop)
    if isinstance(value, datetime):
        return None
    if not isinstance(value, date):
        raise ValueError(f"The event {label} has an invalid {key}: {prop!r}.")
    return value


def _event_end(event: icalendar.Component, first: date, label: str) -> date:
    if event.get("DTEND") is not None:
        end = _event_date(event, "DTEND", label)
        if end is None:
            raise ValueError(f"The event {label} starts on a date but ends at a time.")
    elif event.get("DURATION") is not None:
        duration = _dt(event.get("DURATION"))
        if not isinstance(duration, timedelta):
            raise ValueError(f"The event {label} has an invalid DURATION.")
        end = first + timedelta(days=max(duration.days, 1))
    else:
        end = first + timedelta(days=1)  # RFC 5545: an all-day event without end lasts a day
    if end <= first:
        raise ValueError(f"The event {label} ends before it starts.")
    return end


def _dates_of(event: icalendar.Component, key: str, label: str) -> set[date]:
    values = event.get(key)
    if values is None:
        return set()
    result = set()
    for item in values if isinstance(values, list) else [values]:
        for value in getattr(item, "dts", []):
            moment = _dt(value)
            if isinstance(moment, datetime):
                result.add(moment.date())
            elif isinstance(moment, date):
                result.add(moment)
            else:
                raise ValueError(f"The event {label} has an invalid {key}.")
    return result


def _occurrences(
    event: icalendar.Component, first: date, wanted: frozenset[int] | None, label: str
) -> list[date]:
    starts = {first} | _dates_of(event, "RDATE", label)
    rule = event.get("RRULE")
    if rule is not None:
        if isinstance(rule, list):
            raise ValueError(f"The event {label} has several RRULEs; only one is supported.")
        if not isinstance(rule, icalendar.vRecur):
            raise ValueError(f"The event {label} has an invalid RRULE.")
        horizon = max(wanted) if wanted else first.year + _DEFAULT_YEARS
        starts |= _expand(rule, first, horizon, label)
    return sorted(starts - _dates_of(event, "EXDATE", label))


def _expand(rule: icalendar.vRecur, first: date, last_year: int, label: str) -> set[date]:
    """Expand a recurrence rule (RFC 5545 §3.3.10, by dateutil's rrule) from `first` to the
    end of `last_year`. Rules that repeat within a day are refused: a holiday is a day."""
    text = rule.to_ical().decode(errors="replace")  # type: ignore[no-untyped-call]
    freq = [str(v).upper() for v in rule.get("FREQ", [])]
    if freq not in (["YEARLY"], ["MONTHLY"], ["WEEKLY"], ["DAILY"]):
        raise ValueError(
            f"The event {label} repeats by a rule that cannot be expanded ({text}); a holiday"
            " repeats yearly, monthly, weekly or daily."
        )
    start = datetime.combine(first, time.min)
    try:
        recurrence = rrulestr(f"RRULE:{text}", dtstart=start, ignoretz=True)
        moments = recurrence.between(start, datetime(last_year, 12, 31, 23, 59), inc=True)
    except (TypeError, ValueError) as error:
        raise ValueError(f"The event {label} has an invalid RRULE: {error}") from error
    return {moment.date() for moment in moments[:_MAX_OCCURRENCES]}
