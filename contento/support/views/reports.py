"""The support report page."""

import datetime as dt

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from contento.accounts.access import member_required
from contento.support import reports


def _date(value):
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@member_required("ticket.view")
def report(request, membership):
    until_day = _date(request.GET.get("until")) or timezone.localdate()
    since_day = _date(request.GET.get("since")) or until_day - dt.timedelta(days=90)
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(since_day, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(until_day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    data = reports.build(membership.organization, since, until)
    names = {
        "all": _("All ratings"),
        "agent": _("By agent"),
        "team": _("By team"),
        "channel": _("By channel"),
        "product": _("By product"),
    }
    groups = [(key, names[key], shares) for key, shares in data.satisfaction.items()]
    return render(
        request,
        "support/report.html",
        {"report": data, "groups": groups, "since": since_day, "until": until_day},
    )
