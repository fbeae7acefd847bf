"""The filters of a survey's dashboard and response list, as one form.

The period and the language are read from the score counts; the others (the answer to a
question, a customer attribute, a product, the channel, the mode, completion) narrow the responses
first, and the figures are then counted from their answers (`Filters.by_response`).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from contento.customers.attributes import attribute_keys
from contento.customers.models import Product
from contento.surveys.localize import LocalSurvey
from contento.surveys.metrics import AnswerFilter, Filters
from contento.surveys.models import Response

OPERATORS = [
    ("le", _("is at most")),
    ("ge", _("is at least")),
    ("eq", _("is")),
    ("chose", _("chose")),
]
# The kinds of question whose answers can be filtered on: scores, and options.
SCORED = ("nps", "csat", "ces", "rating")
CHOSEN = ("single", "multiple")


class ResponseFilterForm(forms.Form):
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    question = forms.ChoiceField(label=_("Answer to"), required=False)
    op = forms.ChoiceField(label=_("Condition"), required=False, choices=OPERATORS)
    value = forms.CharField(label=_("Value"), required=False, max_length=50)
    attribute = forms.ChoiceField(label=_("Customer attribute"), required=False)
    attribute_value = forms.CharField(label=_("Attribute value"), required=False, max_length=200)
    product = forms.ChoiceField(label=_("Product or service"), required=False)
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("All channels")), *Response.Source.choices],
    )
    mode = forms.ChoiceField(
        label=_("Answered"),
        required=False,
        choices=[("", _("Alone or with an interviewer")), *Response.Mode.choices],
    )
    completion = forms.ChoiceField(
        label=_("Completion"),
        required=False,
        choices=[("", _("Complete and partial")), *Response.Status.choices],
    )

    def __init__(self, data, *, local: LocalSurvey, languages):
        super().__init__(data)
        self.local = local
        self.fields["language"].choices = [("", _("All languages")), *languages]
        self.fields["question"].choices = [("", _("Any answer"))] + [
            (lq.key, f"{lq.key}: {lq.text[:60]}")
            for lq in local.questions
            if lq.question.kind in SCORED + CHOSEN
        ]
        organization = local.survey.organization
        self.fields["attribute"].choices = [("", _("Any customer"))] + [
            (name, name) for name in attribute_keys(organization)
        ]
        self.fields["product"].choices = [("", _("Any product"))] + [
            (str(code), name)
            for code, name in Product.objects.filter(organization=organization)
            .order_by("name")
            .values_list("code", "name")
        ]

    def clean(self):
        data = super().clean()
        key = data.get("question")
        if key:
            lq = self.local.by_key()[key]
            value = (data.get("value") or "").strip()
            op = data.get("op") or ("chose" if lq.question.kind in CHOSEN else "le")
            if lq.question.kind in CHOSEN:
                keys = {key for key, _label in lq.choices}
                labels = {label.casefold(): key for key, label in lq.choices}
                value = value if value in keys else labels.get(value.casefold(), "")
                if not value:
                    self.add_error("value", _("Choose one of the question's options."))
                op = "chose"
            else:
                low, high = lq.kind.range(lq.question)
                if not value.lstrip("-").isdigit() or not low <= int(value) <= high:
                    self.add_error(
                        "value",
                        _("Give a score from %(low)d to %(high)d.") % {"low": low, "high": high},
                    )
                if op == "chose":
                    op = "le"
            data["op"], data["value"] = op, value
        return data

    def filters(self) -> Filters:
        """The filters chosen; what does not validate is left out (and said on the form)."""
        if not self.is_bound:
            return Filters()
        self.is_valid()
        data = self.cleaned_data
        answer = None
        if data.get("question") and "value" not in self.errors:
            answer = AnswerFilter(data["question"], data["op"], data["value"])
        attribute = None
        if data.get("attribute") and data.get("attribute_value"):
            attribute = (data["attribute"], data["attribute_value"].strip())
        return Filters(
            data.get("since"),
            data.get("until"),
            data.get("language") or None,
            answer=answer,
            attribute=attribute,
            product=data.get("product") or None,
            channel=data.get("channel") or None,
            completion=data.get("completion") or None,
            mode=data.get("mode") or None,
        )
