import re

import stopwordsiso
from django import forms
from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from contento.surveys.logic import parts as logic_parts
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
    thank_by_email = forms.BooleanField(
        label=_("Thank each known customer by email after they answer"),
        required=False,
        help_text=_(
            "In their language, with the thank-you message, to customers who may be contacted."
        ),
    )
    default_language = forms.ChoiceField(label=_("Default language"), choices=LANGUAGE_CHOICES)
    languages = forms.MultipleChoiceField(
        label=_("Also offered in"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


# Conditions in words, as the builder offers them. The last three are shorthands for an NPS
# question, stored as the plain conditions beside them.
CONDITION_WORDS = [
    ("lte", _("is at most")),
    ("gte", _("is at least")),
    ("lt", _("is less than")),
    ("gt", _("is more than")),
    ("eq", _("is (or includes)")),
    ("neq", _("is not")),
    ("in", _("is one of")),
    ("not_in", _("is none of")),
    ("answered", _("is answered")),
    ("not_answered", _("is not answered")),
    ("detractor", _("is a detractor (0–6)")),
    ("passive", _("is a passive (7–8)")),
    ("promoter", _("is a promoter (9–10)")),
]
NPS_GROUPS = {"detractor": ("lte", 6), "passive": ("in", [7, 8]), "promoter": ("gte", 9)}
CONDITION_ROWS = 3

# The fields each type of question uses; the builder shows only these (the others wait
# hidden, so switching the type loses nothing typed).
SCALE_KINDS = tuple(kind for kind, _label in Question.Kind.choices if get_type(kind).has_scale)
RANGE_KINDS = tuple(kind for kind in SCALE_KINDS if not get_type(kind).fixed_range)
OPTION_KINDS = tuple(
    kind
    for kind, _label in Question.Kind.choices
    if get_type(kind).uses_choices or get_type(kind).uses_items
)
FIELD_KINDS = {
    "min": RANGE_KINDS,
    "max": RANGE_KINDS,
    "min_label": SCALE_KINDS,
    "max_label": SCALE_KINDS,
    "options": OPTION_KINDS,
    "randomize": OPTION_KINDS,
}

# A key keeps the first few words that say what a question asks, leaving out the function
# words around them: a short list for English, the short stop words of other languages
# (the full lists also hold content words such as "likely" or "back").
KEY_WORDS = 3
_FUNCTION_WORDS = frozenset(
    re.findall(
        r"\w+",
        """a an the how what which who whom why when where is are was were be been being do
        does did you your yours we our us to of in on for with at by from and or but if it its
        this that these those would could should will shall can may might must have has had me
        my i about any there their they them please much many very so than then""",
    )
)


def derive_key(text: str, kind: str, taken, language: str = "en") -> str:
    """A short readable key for a new question, unique among `taken`.

    A score question is named after its kind (nps, csat, ces); another by the first few words
    of its text that are not stop words of its language ("likely-recommend-friend"); text in
    a script without a Latin spelling falls back to the kind. A number makes it unique.
    """
    if kind in ("nps", "csat", "ces"):
        base = kind
    else:
        other = language != "en" and stopwordsiso.has_lang(language)
        short = stopwordsiso.stopwords(language) if other else set()
        stop = _FUNCTION_WORDS | {word for word in short if len(word) <= 3}
        words = [w for w in re.findall(r"\w+", text.lower()) if len(w) > 1]
        telling = [w for w in words if w not in stop] or words
        base = slugify(_latin("-".join(telling[:KEY_WORDS])))[:40].strip("-") or kind
    taken = set(taken)
    key, number = base, 2
    while key in taken:
        key = f"{base}-{number}"[:50]
        number += 1
    return key


# Letters slugify cannot spell in ASCII by itself: Vietnamese đ, and Cyrillic (ISO 9 simplified).
_LATIN = str.maketrans(
    {
        "đ": "d",
        **dict(zip("абвгдезийклмнопрстуфцыэ", "abvgdezijklmnoprstufcye", strict=True)),
        "ё": "e",
        "ж": "zh",
        "х": "kh",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ъ": "",
        "ь": "",
        "ю": "yu",
        "я": "ya",
    }
)


def _latin(text: str) -> str:
    return text.translate(_LATIN)


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Question.Kind.choices)
    text = forms.CharField(
        label=_("Question"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Write {answer:key} for an earlier answer and {customer:first_name} for the"
            " customer's first name."
        ),
    )
    key = forms.SlugField(
        label=_("Key"),
        max_length=50,
        required=False,
        help_text=_(
            "Names the question in exports, the API and display logic. "
            "Leave empty to derive a short one from the question."
        ),
    )
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
    randomize = forms.BooleanField(
        label=_("Show the options in a random order"),
        required=False,
        help_text=_("Each respondent sees their own order, the same on every visit."),
    )
    shuffle = forms.BooleanField(
        label=_("Shuffle with the other shuffled questions of its page"),
        required=False,
        help_text=_("A block of questions in a random order, against order bias."),
    )
    show_if_join = forms.ChoiceField(
        label=_("Show this question"),
        required=False,
        choices=[
            ("all", _("only if every condition below is met")),
            ("any", _("if any condition below is met")),
        ],
    )

    def __init__(self, *args, earlier=(), taken=(), language="en", **kwargs):
        """`earlier`: (key, text) of the questions before this one; `taken`: keys in use."""
        super().__init__(*args, **kwargs)
        self.taken = set(taken)
        self.language = language
        questions = [("", _("— no condition —"))] + [
            (key, f"{key}: {text[:60]}") for key, text in earlier
        ]
        for row in range(1, CONDITION_ROWS + 1):
            self.fields[f"show_if_question_{row}"] = forms.ChoiceField(
                label=_("Question"), required=False, choices=questions
            )
            self.fields[f"show_if_op_{row}"] = forms.ChoiceField(
                label=_("Condition"), required=False, choices=CONDITION_WORDS
            )
            self.fields[f"show_if_value_{row}"] = forms.CharField(
                label=_("Value"),
                required=False,
                help_text=_("A number, an option's key, or several separated by commas."),
            )

    def field_rows(self):
        """(bound field, the kinds it applies to, or "" for every kind) in display order."""
        return [
            (self[name], " ".join(FIELD_KINDS.get(name, ())))
            for name in self.fields
            if not name.startswith("show_if")
        ]

    def condition_rows(self):
        return [
            (
                self[f"show_if_question_{row}"],
                self[f"show_if_op_{row}"],
                self[f"show_if_value_{row}"],
            )
            for row in range(1, CONDITION_ROWS + 1)
        ]

    def _conditions(self) -> list[dict]:
        data = self.cleaned_data
        conditions = []
        for row in range(1, CONDITION_ROWS + 1):
            question, op = data.get(f"show_if_question_{row}"), data.get(f"show_if_op_{row}")
            if not question or not op:
                continue
            if op in NPS_GROUPS:
                op, value = NPS_GROUPS[op]
                conditions.append({"question": question, "op": op, "value": value})
            elif op in ("answered", "not_answered"):
                conditions.append({"question": question, "op": op})
            else:
                raw = data.get(f"show_if_value_{row}", "")
                value = parse_logic_value(op, raw)
                conditions.append({"question": question, "op": op, "value": value})
        return conditions

    def to_definition(self, language: str, previous: dict | None = None) -> dict:
        """Return the question's definition, keeping the other languages of `previous`."""
        data = self.cleaned_data
        previous = previous or {}
        key = data["key"] or previous.get("key")
        if not key:
            key = derive_key(data["text"], data["kind"], self.taken, self.language)
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
        if data.get("randomize") and (kind.uses_choices or kind.uses_items):
            qdef["randomize"] = True
        if data.get("shuffle"):
            qdef["shuffle"] = True
        conditions = self._conditions()
        if len(conditions) == 1:
            qdef["show_if"] = conditions[0]
        elif conditions:
            qdef["show_if"] = {data.get("show_if_join") or "all": conditions}
        return qdef

    @staticmethod
    def initial_conditions(logic: dict | None) -> dict:
        """The condition fields' initial values for a stored condition."""
        if not logic:
            return {}
        join, conditions = logic_parts(logic)
        initial = {"show_if_join": join}
        for row, condition in enumerate(conditions[:CONDITION_ROWS], start=1):
            op, value = condition.get("op"), condition.get("value", "")
            for group, (group_op, group_value) in NPS_GROUPS.items():
                if (op, value) == (group_op, group_value):
                    op, value = group, ""
            initial[f"show_if_question_{row}"] = condition.get("question", "")
            initial[f"show_if_op_{row}"] = op
            initial[f"show_if_value_{row}"] = (
                ", ".join(map(str, value)) if isinstance(value, list) else value
            )
        return initial


def describe_condition(logic: dict | None) -> str:
    """A stored condition in the builder's words: "nps is a detractor (0–6)"."""
    if not logic:
        return ""
    join, conditions = logic_parts(logic)
    words = dict(CONDITION_WORDS)
    said = []
    for condition in conditions:
        op, value = condition.get("op"), condition.get("value")
        group = next((g for g, pair in NPS_GROUPS.items() if pair == (op, value)), None)
        if group:
            said.append(f"{condition.get('question')} {words[group]}")
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        tail = "" if op in ("answered", "not_answered") else f" {shown}"
        said.append(f"{condition.get('question')} {words.get(op, op)}{tail}")
    glue = _("and") if join == "all" else _("or")
    return f" {glue} ".join(said)


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
