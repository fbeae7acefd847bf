"""Forms of the accounts pages."""

import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from contento.accounts.models import Organization
from contento.accounts.registers import REGISTERS


class WorkspaceForm(forms.Form):
    """The workspace's settings; `do_update_workspace` checks them as it saves them."""

    name = forms.CharField(label=_("Business name"), max_length=200)
    default_language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)
    brand_colour = forms.CharField(
        label=_("Brand colour"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_("Buttons and links on survey pages, the help centre and emails."),
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        help_text=_("A PNG, JPEG or WebP image of at most 256 KB, shown above survey pages."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"))
    sender_name = forms.CharField(
        label=_("Sender name"),
        max_length=100,
        required=False,
        help_text=_("The name customers see on emails; the business name when empty."),
    )
    reply_to = forms.EmailField(
        label=_("Reply-to address"),
        required=False,
        help_text=_("Where customers' replies to survey invitations go."),
    )
    public_url = forms.URLField(
        label=_("Public address"),
        required=False,
        assume_scheme="https",
        help_text=_(
            "The address customers reach this installation at, such as "
            "https://feedback.example.com; links in emails start with it."
        ),
    )
    registers = forms.MultipleChoiceField(
        label=_("Address customers"),
        required=False,
        choices=[(code, label) for code, (_language, label) in REGISTERS.items()],
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Survey pages, the help centre and emails in these languages use the other form of"
            " address."
        ),
    )
    survey_gap_days = forms.IntegerField(
        label=_("Days between two surveys of one customer"),
        min_value=0,
        max_value=365,
        help_text=_(
            "No customer is invited more than once in this many days, whatever the survey, "
            "campaign or trigger. 0: no limit."
        ),
    )
    quiet_hours_start = forms.TimeField(
        label=_("Quiet hours begin"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("No invitation is sent between these hours of the customer's own time."),
    )
    quiet_hours_end = forms.TimeField(
        label=_("Quiet hours end"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    widget_origins = forms.CharField(
        label=_("Sites that may show the widget"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "One address a line, like https://shop.example.com. Empty: any site may show it."
        ),
    )
    require_two_factor = forms.BooleanField(
        label=_("Require two-factor sign-in"),
        required=False,
        help_text=_(
            "Every member signs in with a code from an authenticator app as well as their "
            "password; members without one set it up at their next visit."
        ),
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        initial = {name: getattr(organization, name) for name in self.base_fields}
        initial["widget_origins"] = "\n".join(organization.widget_origins or [])
        kwargs.setdefault("initial", initial)
        self.organization = organization
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [
            (zone, zone.replace("_", " ")) for zone in sorted(zoneinfo.available_timezones())
        ]

    def clean_widget_origins(self):
        """One origin a line, as a list (checked as it is saved)."""
        return [
            line.strip()
            for line in self.cleaned_data["widget_origins"].splitlines()
            if line.strip()
        ]
