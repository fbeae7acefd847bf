import re

from django import forms
from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from contento.surveys.logic import OPERATORS
from contento.surveys.models import Question
from contento.surveys.questions import get_type

LANGUAGE_CHOICES = settings.LANGUAGES


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    thank_you = forms.CharField(
        label=_("Thank-you message"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    default_language = forms.ChoiceField(label=_("Default language"), choices=LANGUAGE_CHOICES)
    languages = forms.MultipleChoiceField(
        label=_("Also offered in"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Question.Kind.choices)
    key = forms.SlugField(
        label=_("Key"),
        max_length=50,
        required=False,
        help_text=_(
            "Names the question in exports, the API and display logic. "
            "Leave empty to derive it from the question."
        ),
    )
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    help = forms.CharField(label=_("Help text"), required=False)
    required = forms.BooleanField(label=_("Required"), required=False)
    page = forms.IntegerField(label=_("Page"), min_value=1, max_value=100, initial=1)
    min = forms.IntegerField(label=_("Scale from"), required=False)
    max = forms.IntegerField(label=_("Scale to"), required=False)
    min_label = forms.CharField(
        label=_("Label of the lowest point"), required=False, max_length=100
    )
    max_label = forms.CharField(
        label=_("Label of the highest point"), required=False, max_length=100
    )
    options = forms.CharField(
        label=_("Choices or matrix items"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line. Write key|label to choose the key yourself."),
    )
    show_if_question = forms.CharField(label=_("Show only if question"), required=False)
    show_if_op = forms.ChoiceField(
        label=_("Condition"), required=False, choices=[("", "—")] + [(op, op) for op in OPERATORS]
    )
    show_if_value = forms.CharField(label=_("Value"), required=False)

    def to_definition(self, language: str, previous: dict | None = None) -> dict:
        """Return the question's definition, keeping the other languages of `previous`."""
        data = self.cleaned_data
        previous = previous or {}
        key = data["key"] or previous.get("key") or slugify(data["text"])[:40].strip("-") or "q"
        qdef = {
            "key": key.lower(),
            "type": data["kind"],
            "page": data["page"] or 1,
            "required": data["required"],
            "text": {**_texts(previous.get("text")), language: data["text"]},
        }
        if data["help"] or previous.get("help"):
            qdef["help"] = {**_texts(previous.get("help")), language: data["help"]}
        kind = get_type(data["kind"])
        if kind.has_scale and not kind.fixed_range:  # the author chooses the range
            if data["min"] is not None:
                qdef["min"] = data["min"]
            if data["max"] is not None:
                qdef["max"] = data["max"]
        if kind.has_scale:
            for label in ("min_label", "max_label"):
                if data[label] or previous.get(label):
                    qdef[label] = {**_texts(previous.get(label)), language: data[label]}
        if kind.uses_choices or kind.uses_items:
            group = "items" if kind.uses_items else "choices"
            old = {c["key"]: c for c in previous.get("choices", []) + previous.get("items", [])}
            qdef[group] = [
                {"key": ckey, "label": {**_texts(old.get(ckey, {}).get("label")), language: label}}
                for ckey, label in parse_options(data["options"])
            ]
        if data["show_if_question"] and data["show_if_op"]:
            qdef["show_if"] = {"question": data["show_if_question"], "op": data["show_if_op"]}
            if data["show_if_op"] not in ("answered", "not_answered"):
                qdef["show_if"]["value"] = parse_logic_value(
                    data["show_if_op"], data["show_if_value"]
                )
        return qdef


def _texts(value) -> dict:
    if isinstance(value, dict):
        return dict(value)
    return {}


def parse_options(raw: str) -> list[tuple[str, str]]:
    """Return (key, label) pairs from one option a line, `key|label` or just `label`."""
    result, seen = [], set()
    for index, line in enumerate(raw.splitlines()):
        line = line.strip()
        if not line:
            continue
        if "|" in line:
            key, label = (part.strip() for part in line.split("|", 1))
        else:
            key, label = slugify(line)[:40] or f"option-{index + 1}", line
        key = key.lower()
        while key in seen:
            key = f"{key}-{index + 1}"
        seen.add(key)
        result.append((key, label))
    return result


def parse_logic_value(op: str, raw: str):
    """Return the value of a condition typed in the builder: numbers as numbers, lists split."""

    def one(item: str):
        item = item.strip()
        return int(item) if re.fullmatch(r"-?\d+", item) else item

    if op in ("in", "not_in"):
        return [one(part) for part in raw.split(",") if part.strip()]
    return one(raw)


def options_text(qdef: dict) -> str:
    """Return the builder's one-option-a-line text of a question's choices or items."""
    default_lines = []
    for choice in qdef.get("choices", []) + qdef.get("items", []):
        label = next(iter(choice["label"].values()), "")
        default_lines.append(f"{choice['key']}|{label}")
    return "\n".join(default_lines)


class TranslationForm(forms.Form):
    """One text field per translatable string of a survey, built from its definition."""

    def __init__(self, *args, strings: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        for item in strings:
            widget = (
                forms.Textarea(attrs={"rows": 2}) if len(item["source"]) > 80 else forms.TextInput()
            )
            self.fields[item["name"]] = forms.CharField(
                label=item["source"], required=False, initial=item["current"], widget=widget
            )
