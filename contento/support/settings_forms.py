"""Forms of the desk's settings pages: teams with their calendars, SLA policies, canned replies.

The forms only validate; `contento.support.actions.configuration` makes the changes.
"""

import re
import zoneinfo
from datetime import date, datetime

import icalendar
from django import forms
from django.conf import settings
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from contento.accounts.models import Membership
from contento.accounts.roles import roles_with
from contento.support import canned, ratings
from contento.support.businesshours import Calendar, holiday_countries, holidays_from_ical
from contento.support.models import SlaPolicy, Team, Ticket

TIME_ZONES = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})
# An .ics of public holidays is a few kilobytes; anything much bigger is not one.
MAX_ICS_BYTES = 1024 * 1024

_INTERVAL = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})$")
_SEPARATORS = re.compile(r"[\s,;]+")
_DAY = 24 * 60


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.user} ({obj.get_role_display()})"


class MembersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.user} ({obj.get_role_display()})"


# Teams -----------------------------------------------------------------------------------------


def _format_hours(intervals) -> str:
    return ", ".join(f"{start}-{end}" for start, end in intervals)


def _minutes(hours: str, minutes: str) -> int | None:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m):
        return None
    return h * 60 + m


class TeamForm(forms.Form):
    """A team: its name, address and people, and the business calendar of its SLA clocks."""

    name = forms.CharField(label=_("Name"), max_length=100)
    email_address = forms.EmailField(
        label=_("Inbound address"),
        required=False,
        max_length=254,
        help_text=_("Mail sent to this address becomes a ticket of this team."),
    )
    members = MembersChoiceField(
        label=_("Members"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    manager = MemberChoiceField(
        label=_("Manager"),
        queryset=Membership.objects.none(),
        required=False,
        help_text=_("Gets breached tickets nobody has, and follow-ups of bad ratings."),
    )
    assignment = forms.ChoiceField(
        label=_("New tickets go to"),
        choices=Team.Assignment.choices,
        help_text=_(
            "Round-robin: each member in turn. Least busy: the member with the fewest open"
            " tickets. Manual: nobody until someone takes the ticket."
        ),
    )
    timezone = forms.ChoiceField(
        label=_("Time zone"), choices=[(name, name) for name in TIME_ZONES]
    )
    country = forms.ChoiceField(
        label=_("Public holidays of"),
        required=False,
        help_text=_("The country's public holidays close the team every year, with no file."),
    )
    subdivision = forms.CharField(
        label=_("Region"),
        required=False,
        max_length=10,
        help_text=_("A region's own holidays too, by its code (for example CT for Catalonia)."),
    )
    holidays = forms.CharField(
        label=_("Holidays"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Closed dates, one per line, as YYYY-MM-DD."),
    )
    recurring_holidays = forms.CharField(
        label=_("Every year on"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Dates closed every year, one per line, as MM-DD (12-25 for 25 December)."),
    )
    ics = forms.FileField(
        label=_("Import holidays from a calendar file (.ics)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".ics,text/calendar"}),
        help_text=_(
            "All-day events become holidays, added to those above; events with a time are skipped."
        ),
    )

    def __init__(self, *args, organization, team: Team | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization, self.team = organization, team
        people = Membership.objects.filter(organization=organization).select_related("user")
        self.fields["members"].queryset = people.order_by("user__name", "user__email")
        managers = people.filter(role__in=roles_with("ticket.work"))
        if team is not None and team.manager_id:
            managers = people.filter(role__in=roles_with("ticket.work")) | people.filter(
                pk=team.manager_id
            )
        self.fields["manager"].queryset = managers.order_by("user__name", "user__email")
        for day, name in WEEKDAYS.items():
            self.fields[f"hours_{day}"] = forms.CharField(
                label=name,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": "09:00-12:00, 13:00-17:00"}),
            )
        self.fields["country"].choices = [("", _("None"))] + [
            (code, f"{name} ({code})") for code, (name, _regions) in holiday_countries().items()
        ]
        self.ics_uploaded = False
        self.imported = 0
        self.skipped_timed = 0

    @classmethod
    def initial_for(cls, team: Team | None, calendar: Calendar) -> dict:
        """Return the form's initial data for a team (None: a new team) and its calendar."""
        data = calendar.to_dict()
        initial = {
            "timezone": data["timezone"],
            "holidays": "\n".join(data["holidays"]),
            "recurring_holidays": "\n".join(data["recurring_holidays"]),
            "country": data.get("country", ""),
            "subdivision": data.get("subdivision", ""),
            "assignment": Team.Assignment.ROUND_ROBIN,
        }
        for day in range(7):
            initial[f"hours_{day}"] = _format_hours(data["hours"].get(str(day), []))
        if team is not None:
            initial.update(
                name=team.name,
                email_address=team.email_address,
                members=list(team.members.all()),
                manager=team.manager,
                assignment=team.assignment,
            )
        return initial

    @property
    def main_fields(self):
        names = ("name", "email_address", "members", "manager", "assignment")
        return [self[name] for name in names]

    @property
    def hours_fields(self):
        return [self["timezone"], *(self[f"hours_{day}"] for day in range(7))]

    @property
    def holiday_fields(self):
        names = ("country", "subdivision", "holidays", "recurring_holidays", "ics")
        return [self[name] for name in names]

    def clean_email_address(self):
        address = self.cleaned_data["email_address"].strip().lower()
        if address:
            others = Team.objects.filter(email_address__iexact=address)
            if self.team is not None:
                others = others.exclude(pk=self.team.pk)
            if others.exists():
                raise forms.ValidationError(
                    _("Another team already receives mail at this address.")
                )
        return address

    def _clean_hours(self, day: int) -> list[list[str]]:
        text = self.cleaned_data.get(f"hours_{day}", "").strip()
        spans = []
        for part in filter(None, (p.strip() for p in re.split(r"[,;]", text))):
            match = _INTERVAL.match(part)
            start = end = None
            if match:
                start, end = _minutes(match[1], match[2]), _minutes(match[3], match[4])
            if start is None or end is None or start >= _DAY:
                raise forms.ValidationError(
                    _("“%(value)s” is not a time interval such as 09:00-17:00."),
                    params={"value": part},
                )
            end = end or _DAY  # an end of 00:00 means midnight at the end of the day
            if end <= start:
                raise forms.ValidationError(
                    _(
                        "The interval %(value)s ends before it starts; split intervals that"
                        " cross midnight over two days."
                    ),
                    params={"value": part},
                )
            spans.append((start, end))
        spans.sort()
        for (_start, end), (next_start, _end) in zip(spans, spans[1:], strict=False):
            if next_start < end:
                raise forms.ValidationError(_("The intervals overlap."))
        return [[f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}"] for a, b in spans]

    def clean_holidays(self):
        days = set()
        for value in _SEPARATORS.split(self.cleaned_data["holidays"].strip()):
            if not value:
                continue
            try:
                days.add(date.fromisoformat(value))
            except ValueError:
                raise forms.ValidationError(
                    _("“%(value)s” is not a date (YYYY-MM-DD)."), params={"value": value}
                ) from None
        return days

    def clean_recurring_holidays(self):
        days = set()
        for value in _SEPARATORS.split(self.cleaned_data["recurring_holidays"].strip()):
            if not value:
                continue
            match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", value)
            try:
                if match is None:
                    raise ValueError
                date(2000, int(match[1]), int(match[2]))  # a leap year: 02-29 is valid
            except ValueError:
                raise forms.ValidationError(
                    _("“%(value)s” is not a yearly date (MM-DD)."), params={"value": value}
                ) from None
            days.add(f"{int(match[1]):02d}-{int(match[2]):02d}")
        return days

    def clean_ics(self):
        upload = self.cleaned_data.get("ics")
        if not upload:
            return set()
        self.ics_uploaded = True
        if upload.size > MAX_ICS_BYTES:
            raise forms.ValidationError(_("This calendar file is too big (over 1 MB)."))
        data = upload.read()
        try:
            days = holidays_from_ical(data)
        except ValueError as error:
            raise forms.ValidationError(
                _("This file could not be read as an iCalendar (.ics) file: %(error)s"),
                params={"error": error},
            ) from None
        # Count the events that were left out for having a time of day, to say so.
        events = icalendar.Calendar.from_ical(data).walk("VEVENT")
        self.skipped_timed = sum(
            isinstance(getattr(event.get("DTSTART"), "dt", None), datetime) for event in events
        )
        return days

    def clean(self):
        data = super().clean()
        hours = {}
        for day in range(7):
            try:
                intervals = self._clean_hours(day)
            except forms.ValidationError as error:
                self.add_error(f"hours_{day}", error)
                continue
            if intervals:
                hours[str(day)] = intervals
        if self.errors:
            return data
        if not hours:
            self.add_error(None, _("Give at least one weekday working hours."))
            return data
        typed = data.get("holidays", set())
        imported = data.get("ics", set())
        self.imported = len(imported - typed)
        try:
            data["calendar"] = Calendar.from_dict(
                {
                    "timezone": data["timezone"],
                    "hours": hours,
                    "holidays": sorted(d.isoformat() for d in typed | imported),
                    "recurring_holidays": sorted(data.get("recurring_holidays", set())),
                    "country": data.get("country", ""),
                    "subdivision": data.get("subdivision", "").strip().upper(),
                }
            )
        except ValueError as error:
            self.add_error(None, str(error))
        return data


# SLA policies ----------------------------------------------------------------------------------


class BusinessTimeWidget(forms.MultiWidget):
    def __init__(self, attrs=None):
        widgets = [
            forms.NumberInput(attrs={"min": 1, "step": 1, "style": "width: 8em"}),
            forms.Select(choices=BusinessTimeField.UNITS),
        ]
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if value is None or value == "":
            return [None, "hours"]
        value = int(value)
        if value % 60 == 0:
            return [value // 60, "hours"]
        return [value, "minutes"]


class BusinessTimeField(forms.MultiValueField):
    """A time in business minutes, typed as a number of minutes or hours."""

    UNITS = [("minutes", _("business minutes")), ("hours", _("business hours"))]
    _FACTOR = {"minutes": 1, "hours": 60}
    MAX_MINUTES = 60 * 24 * 366  # a year of round-the-clock hours; anything more is a typo

    def __init__(self, **kwargs):
        fields = (
            forms.IntegerField(min_value=1, required=False),
            forms.ChoiceField(choices=self.UNITS, required=False),
        )
        kwargs.setdefault("widget", BusinessTimeWidget)
        super().__init__(fields, require_all_fields=False, required=False, **kwargs)

    def compress(self, data_list):
        if not data_list or data_list[0] in (None, ""):
            return None
        amount, unit = data_list
        minutes = amount * self._FACTOR.get(unit or "minutes", 1)
        if minutes > self.MAX_MINUTES:
            raise forms.ValidationError(_("That is more than a year."))
        return minutes


class SlaPolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("Any team")
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=[("", _("Any priority")), *Ticket.Priority.choices],
        required=False,
    )
    first_response_minutes = BusinessTimeField(
        label=_("First response within"),
        help_text=_("From the customer's first message to the first answer."),
    )
    update_minutes = BusinessTimeField(
        label=_("Next update within"),
        help_text=_("From each unanswered customer message to the next answer."),
    )
    resolution_minutes = BusinessTimeField(
        label=_("Resolution within"),
        help_text=_("From the ticket's opening to its solution; paused while waiting on them."),
    )
    warning_percent = forms.IntegerField(
        label=_("Warn when this percent of the time is used"),
        min_value=1,
        max_value=100,
        initial=80,
    )

    def __init__(self, *args, organization, policy: SlaPolicy | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization, self.policy = organization, policy
        self.fields["team"].queryset = Team.objects.filter(organization=organization)

    @classmethod
    def initial_for(cls, policy: SlaPolicy) -> dict:
        return {
            "name": policy.name,
            "team": policy.team,
            "priority": policy.priority,
            "first_response_minutes": policy.first_response_minutes,
            "update_minutes": policy.update_minutes,
            "resolution_minutes": policy.resolution_minutes,
            "warning_percent": policy.warning_percent,
        }

    def clean(self):
        data = super().clean()
        targets = ("first_response_minutes", "update_minutes", "resolution_minutes")
        if not self.errors and all(data.get(name) is None for name in targets):
            self.add_error(None, _("Set at least one target."))
        if "team" in data and "priority" in data:
            same = SlaPolicy.objects.filter(
                organization=self.organization, team=data["team"], priority=data["priority"]
            )
            if self.policy is not None:
                same = same.exclude(pk=self.policy.pk)
            if same.exists():
                self.add_error(
                    None,
                    _("The policy “%(name)s” already covers this team and priority.")
                    % {"name": same.first().name},
                )
        return data


# Canned replies --------------------------------------------------------------------------------

_ANY_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class CannedReplyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    team = forms.ModelChoiceField(
        label=_("Offered to"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("Every team"),
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(organization=organization)
        for code, name in settings.LANGUAGES:
            self.fields[f"text_{code}"] = forms.CharField(
                label=name, required=False, widget=forms.Textarea(attrs={"rows": 5, "lang": code})
            )

    @classmethod
    def initial_for(cls, reply) -> dict:
        initial = {"title": reply.title, "team": reply.team}
        for translation in reply.translations.all():
            initial[f"text_{translation.language}"] = translation.body
        return initial

    @property
    def main_fields(self):
        return [self["title"], self["team"]]

    @property
    def text_fields(self):
        return [self[f"text_{code}"] for code, _name in settings.LANGUAGES]

    def texts(self) -> dict[str, str]:
        """Return the cleaned texts by language, empty ones left out."""
        return {
            code: self.cleaned_data.get(f"text_{code}", "").strip()
            for code, _name in settings.LANGUAGES
            if self.cleaned_data.get(f"text_{code}", "").strip()
        }

    def clean(self):
        data = super().clean()
        for code, _name in settings.LANGUAGES:
            text = data.get(f"text_{code}", "")
            unknown = sorted(
                {m for m in _ANY_PLACEHOLDER.findall(text or "") if m not in canned.PLACEHOLDERS}
            )
            if unknown:
                self.add_error(
                    f"text_{code}",
                    _("Unknown placeholder %(names)s; use one of %(known)s.")
                    % {
                        "names": ", ".join(f"{{{name}}}" for name in unknown),
                        "known": ", ".join(f"{{{name}}}" for name in canned.PLACEHOLDERS),
                    },
                )
        if not self.errors and not self.texts():
            self.add_error(None, _("Write the reply in at least one language."))
        return data


# Desk settings ---------------------------------------------------------------------------------


class DeskSettingsForm(forms.Form):
    rating_delay_minutes = forms.IntegerField(
        label=_("Ask for a rating this many minutes after solving"),
        min_value=0,
        max_value=60 * 24 * 30,
        help_text=_("0 asks at once; 1440 is a day."),
    )
    auto_close_days = forms.IntegerField(
        label=_("Close solved tickets after this many days"),
        min_value=0,
        max_value=365,
        help_text=_("0 never closes them: a reply reopens a solved ticket until it is closed."),
    )
    rating_survey = forms.ModelChoiceField(
        label=_("Rating survey"),
        queryset=None,
        required=False,
        empty_label=_("The standard one (created when first needed)"),
        help_text=_(
            "A live survey of this workspace with a satisfaction (CSAT) question whose key"
            " is “%(key)s”."
        ),
    )

    def __init__(self, *args, organization, current_survey=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["rating_survey"]
        field.help_text = field.help_text % {"key": ratings.RATING_QUESTION}
        field.queryset = ratings.eligible_surveys(organization, current_survey)
        if current_survey is not None:
            # Once chosen, a survey is replaced by another, never by none (which would make a
            # new standard survey and split the ratings in two).
            field.required = True
            field.empty_label = None
