"""The filters of the insight pages: a date range, the overview's slice, loyalty's question."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contento.insights.slices import ATTRIBUTE, DIMENSIONS

WINDOW_DAYS = 90


class DateRangeForm(forms.Form):
    """The date range every insight page can be restricted to (both ends included)."""

    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def dates(self):
        """Return (since, until), None for an end left open or a form that did not validate."""
        if not self.is_valid():
            return None, None
        return self.cleaned_data.get("since"), self.cleaned_data.get("until")


class SliceForm(DateRangeForm):
    """The overview's date range and the dimension its slices are by."""

    slice = forms.ChoiceField(label=_("Slice by"), required=False, choices=list(DIMENSIONS.items()))

    def __init__(self, *args, attributes=(), **kwargs):
        """`attributes`: the names of the customer attributes in use, offered as dimensions."""
        super().__init__(*args, **kwargs)
        if attributes:
            self.fields["slice"].choices = [
                (_("Answers and customers"), list(DIMENSIONS.items())),
                (_("Customer attributes"), [(ATTRIBUTE + name, name) for name in attributes]),
            ]

    def dimension(self) -> str:
        """Return the dimension chosen: the answers' language unless another is valid."""
        return (self.cleaned_data.get("slice") if self.is_valid() else None) or "language"


class LoyaltyForm(forms.Form):
    """The satisfaction question, the outcome and the window the loyalty page looks at."""

    OUTCOMES = [
        ("renewal", _("Renewal of subscriptions")),
        ("repurchase", _("Repurchase within the window")),
    ]

    source = forms.ChoiceField(label=_("Satisfaction question"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OUTCOMES, required=False)
    window = forms.IntegerField(
        label=_("Window after the answer (days)"),
        min_value=7,
        max_value=730,
        required=False,
        initial=WINDOW_DAYS,
    )

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = list(sources)

    def chosen(self) -> tuple[str, int]:
        """Return (outcome, window in days): renewal over 90 days unless others are valid."""
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("outcome") or "renewal", data.get("window") or WINDOW_DAYS
