"""The date range a page, an export or the API restricts answers to, and whether the rollups
cover it.

One class for every date range of the product: the survey dashboard's filters
(`contento.surveys.metrics.Filters`) are a `Period` with a language, and the insight pages
pass a `Period` to their computations.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class Period:
    """From `since` to `until`, both days included; an end left as None is open."""

    since: dt.date | None = None
    until: dt.date | None = None

    @property
    def whole_months(self) -> bool:
        """Whether the period is made of whole calendar months (what monthly rollups cover)."""
        starts = self.since is None or self.since.day == 1
        ends = self.until is None or (self.until + dt.timedelta(days=1)).day == 1
        return starts and ends

    def bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """Return [start, end) as aware datetimes in the current time zone."""
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.since, dt.time.min, tz) if self.since else None
        end = (
            dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time.min, tz)
            if self.until
            else None
        )
        return start, end


ALL_TIME = Period()
