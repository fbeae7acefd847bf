"""The JSON survey definition: a whole survey, its questions and translations in one document.

`validate` checks a document and returns a normalised copy with every localisable string as a
`{language: text}` dict, or the list of what is wrong, each error naming the question and the
field. `export` turns a stored survey back into a document. The format is documented in
`docs/survey-definition.md`.
"""

import json
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from contento.surveys.logic import condition_errors
from contento.surveys.questions import TYPES, get_type
from contento.surveys.questions.base import whole_number

FORMAT = "contento.survey/1"
LANGUAGES = [code for code, _name in settings.LANGUAGES]
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")  # matched whole: "key\n" is no key

# Bounds on one survey, far beyond any real questionnaire, so that a document cannot make the
# server write millions of rows or hold megabytes of text per page view.
MAX_BYTES = 1_000_000  # a definition document, as JSON
MAX_QUESTIONS = 300
MAX_CHOICES = 200  # choices or items of one question
MAX_TEXT = 2000  # a question's text or help, in one language
MAX_LONG_TEXT = 5000  # the survey's description and thank-you message
MAX_LABEL = 300  # a choice, an item or a scale end

SURVEY_FIELDS = {
    "format",
    "title",
    "description",
    "thank_you",
    "default_language",
    "languages",
    "questions",
}
QUESTION_FIELDS = {
    "key",
    "type",
    "text",
    "help",
    "required",
    "page",
    "min",
    "max",
    "min_label",
    "max_label",
    "choices",
    "items",
    "show_if",
    "randomize",
    "shuffle",
}
CHOICE_FIELDS = {"key", "label"}


@dataclass
class DefinitionError:
    path: str
    message: str

    def __str__(self):
        return f"{self.path}: {self.message}"

    def as_dict(self):
        return {"path": self.path, "message": self.message}


class InvalidDefinition(ValueError):
    def __init__(self, errors: list[DefinitionError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


def _localized(
    value: Any,
    path: str,
    default: str,
    languages: list[str],
    errors: list,
    required: bool = True,
    max_length: int | None = None,
) -> dict[str, str]:
    """Normalise a string or a {language: text} dict; record errors under `path`."""
    if value is None or value == "":
        if required:
            errors.append(DefinitionError(path, f"is required in the default language ({default})"))
        return {}
    if isinstance(value, str):
        value = {default: value}
    if not isinstance(value, dict):
        errors.append(DefinitionError(path, "must be a string or an object of language: text"))
        return {}
    result = {}
    for lang, text in value.items():
        if lang not in languages:
            errors.append(
                DefinitionError(
                    f"{path}.{lang}", f"{lang!r} is not one of the survey's languages {languages}"
                )
            )
        elif not isinstance(text, str):
            errors.append(DefinitionError(f"{path}.{lang}", "must be text"))
        elif max_length and len(text) > max_length:
            errors.append(
                DefinitionError(f"{path}.{lang}", f"is longer than {max_length} characters")
            )
        elif text.strip():
            result[lang] = text.strip()
    if required and default not in result:
        errors.append(DefinitionError(path, f"is required in the default language ({default})"))
    return result


def parse(raw: str) -> Any:
    """Return the JSON document in `raw`; refuse one over MAX_BYTES before reading it.

    Raise InvalidDefinition when it is too large, json.JSONDecodeError when it is not JSON.
    """
    if len(raw) > MAX_BYTES:
        raise InvalidDefinition(
            [DefinitionError("$", f"a survey definition is at most {MAX_BYTES // 1000} kB")]
        )
    return json.loads(raw)


def validate(data: Any) -> dict:
    """Return the normalised definition, or raise InvalidDefinition listing every problem."""
    errors: list[DefinitionError] = []
    if not isinstance(data, dict):
        raise InvalidDefinition([DefinitionError("$", "a survey definition is a JSON object")])
    for name in sorted(set(data) - SURVEY_FIELDS):
        errors.append(DefinitionError(name, "is not a field of a survey definition"))
    if data.get("format", FORMAT) != FORMAT:
        errors.append(DefinitionError("format", f"must be {FORMAT!r}"))
    default = data.get("default_language", "en")
    if default not in LANGUAGES:
        errors.append(DefinitionError("default_language", f"must be one of {LANGUAGES}"))
        default = "en"
    languages = data.get("languages")
    languages = [default] if languages is None or languages == [] else languages
    if not isinstance(languages, list) or any(lang not in LANGUAGES for lang in languages):
        errors.append(DefinitionError("languages", f"must be a list of codes from {LANGUAGES}"))
        languages = [default]
    languages = [default] + [lang for lang in dict.fromkeys(languages) if lang != default]

    def loc(value, path, required=True, max_length=None):
        return _localized(value, path, default, languages, errors, required, max_length)

    out = {
        "format": FORMAT,
        "default_language": default,
        "languages": languages,
        "title": loc(data.get("title"), "title", max_length=200),
        "description": loc(
            data.get("description"), "description", required=False, max_length=MAX_LONG_TEXT
        ),
        "thank_you": loc(
            data.get("thank_you"), "thank_you", required=False, max_length=MAX_LONG_TEXT
        ),
        "questions": [],
    }
    questions = data.get("questions")
    if questions is None:
        questions = []
    if not isinstance(questions, list):
        errors.append(DefinitionError("questions", "must be a list of questions"))
        questions = []
    if len(questions) > MAX_QUESTIONS:
        errors.append(DefinitionError("questions", f"a survey has at most {MAX_QUESTIONS}"))
        raise InvalidDefinition(errors)
    seen: dict[str, str] = {}
    last_page = 1
    for index, qdef in enumerate(questions):
        out_q = _validate_question(qdef, index, seen, last_page, loc, errors)
        if out_q:
            last_page = out_q["page"]
            seen[out_q["key"]] = out_q["type"]
            out["questions"].append(out_q)
    if errors:
        raise InvalidDefinition(errors)
    return out


def _validate_question(qdef, index, seen, last_page, loc, errors):
    path = f"questions[{index}]"
    if not isinstance(qdef, dict):
        errors.append(DefinitionError(path, "must be an object"))
        return None
    key = qdef.get("key")
    if isinstance(key, str):
        path = f"questions[{index}] ({key})"
    for name in sorted(set(qdef) - QUESTION_FIELDS):
        errors.append(DefinitionError(f"{path}.{name}", "is not a field of a question"))
    if not isinstance(key, str) or not KEY_RE.fullmatch(key):
        errors.append(
            DefinitionError(
                f"{path}.key",
                "must be 1–50 lowercase letters, digits, _ or -, starting with a letter or digit",
            )
        )
        return None
    duplicate = key in seen
    if duplicate:
        errors.append(DefinitionError(f"{path}.key", f"{key!r} is used by an earlier question"))
    kind = qdef.get("type")
    if not isinstance(kind, str) or kind not in TYPES:
        errors.append(DefinitionError(f"{path}.type", f"must be one of {', '.join(TYPES)}"))
        return None
    qtype = get_type(kind)
    page = whole_number(qdef.get("page", last_page))
    if page is None or not 1 <= page <= 100:
        errors.append(DefinitionError(f"{path}.page", "must be a page number from 1 to 100"))
        page = last_page
    elif page < last_page:
        errors.append(DefinitionError(f"{path}.page", "pages must not go backwards"))
    required = qdef.get("required", False)
    if not isinstance(required, bool):
        errors.append(DefinitionError(f"{path}.required", "must be true or false"))
    out = {
        "key": key,
        "type": kind,
        "page": page,
        "required": required is True,
        "text": loc(qdef.get("text"), f"{path}.text", max_length=MAX_TEXT),
        "help": loc(qdef.get("help"), f"{path}.help", required=False, max_length=MAX_TEXT),
    }
    for name, message in qtype.definition_errors(qdef):
        errors.append(DefinitionError(f"{path}.{name}", message))
    if qtype.has_scale:
        if not any(name in ("min", "max") for name, _m in qtype.definition_errors(qdef)):
            out.update(qtype.settings_from_definition(qdef))
        for label in ("min_label", "max_label"):
            out[label] = loc(
                qdef.get(label), f"{path}.{label}", required=False, max_length=MAX_LABEL
            )
    else:
        for name in ("min", "max", "min_label", "max_label"):
            if name in qdef:
                errors.append(DefinitionError(f"{path}.{name}", f"a {kind} question has no scale"))
    for group, allowed in (("choices", qtype.uses_choices), ("items", qtype.uses_items)):
        if group not in qdef:
            continue
        if not allowed:
            errors.append(DefinitionError(f"{path}.{group}", f"a {kind} question has no {group}"))
            continue
        out[group] = _validate_choices(qdef[group], f"{path}.{group}", loc, errors)
    for flag in ("randomize", "shuffle"):
        if flag not in qdef:
            continue
        if not isinstance(qdef[flag], bool):
            errors.append(DefinitionError(f"{path}.{flag}", "must be true or false"))
        elif flag == "randomize" and not (qtype.uses_choices or qtype.uses_items):
            errors.append(DefinitionError(f"{path}.{flag}", f"a {kind} question has no options"))
        elif qdef[flag]:
            out[flag] = True
    if "show_if" in qdef and qdef["show_if"] is not None:
        problems = condition_errors(qdef["show_if"], seen)
        for name, message in problems:
            errors.append(DefinitionError(f"{path}.{name}", message))
        if not problems:
            out["show_if"] = qdef["show_if"]
    return None if duplicate else out


def _validate_choices(raw, path, loc, errors):
    if not isinstance(raw, list):
        errors.append(DefinitionError(path, "must be a list"))
        return []
    if len(raw) > MAX_CHOICES:
        errors.append(DefinitionError(path, f"a question has at most {MAX_CHOICES}"))
        return []
    result, keys = [], set()
    for index, choice in enumerate(raw):
        cpath = f"{path}[{index}]"
        if isinstance(choice, str):
            choice = {
                "key": re.sub(r"[^a-z0-9_-]+", "-", choice.lower()).strip("-")[:50]
                or str(index + 1),
                "label": choice,
            }
        if not isinstance(choice, dict):
            errors.append(DefinitionError(cpath, "must be an object with key and label"))
            continue
        for name in sorted(set(choice) - CHOICE_FIELDS):
            errors.append(DefinitionError(f"{cpath}.{name}", "is not a field of a choice"))
        key = choice.get("key")
        if not isinstance(key, str) or not KEY_RE.fullmatch(key):
            errors.append(
                DefinitionError(f"{cpath}.key", "must be 1–50 lowercase letters, digits, _ or -")
            )
            continue
        if key in keys:
            errors.append(DefinitionError(f"{cpath}.key", f"{key!r} appears twice"))
            continue
        keys.add(key)
        result.append(
            {
                "key": key,
                "label": loc(choice.get("label"), f"{cpath}.label", max_length=MAX_LABEL),
            }
        )
    return result


def export(survey) -> dict:
    """Return the definition document of a stored survey, with every translation."""
    languages = survey.all_languages
    default = survey.default_language

    def texts(base: str, translations: dict[str, str]) -> dict[str, str]:
        result = {default: base} if base else {}
        result.update(
            {lang: text for lang, text in translations.items() if text and lang in languages}
        )
        return result

    s_tr = {t.language: t for t in survey.translations.all()}
    doc = {
        "format": FORMAT,
        "default_language": default,
        "languages": languages,
        "title": texts(survey.title, {lang: t.title for lang, t in s_tr.items()}),
        "description": texts(survey.description, {lang: t.description for lang, t in s_tr.items()}),
        "thank_you": texts(survey.thank_you, {lang: t.thank_you for lang, t in s_tr.items()}),
        "questions": [],
    }
    for key in ("description", "thank_you"):
        if not doc[key]:
            del doc[key]
    questions = survey.questions.prefetch_related("translations", "choices__translations")
    for q in questions:
        q_tr = {t.language: t for t in q.translations.all()}
        qdoc = {
            "key": q.key,
            "type": q.kind,
            "page": q.page,
            "required": q.required,
            "text": texts(q.text, {lang: t.text for lang, t in q_tr.items()}),
        }
        help_texts = texts(q.help_text, {lang: t.help_text for lang, t in q_tr.items()})
        if help_texts:
            qdoc["help"] = help_texts
        qtype = get_type(q.kind)
        if qtype.has_scale:
            if not getattr(qtype, "fixed_range", False):
                qdoc["min"], qdoc["max"] = qtype.range(q)
            for label in ("min_label", "max_label"):
                values = texts(
                    q.settings.get(label, ""),
                    {lang: (t.labels or {}).get(label, "") for lang, t in q_tr.items()},
                )
                if values:
                    qdoc[label] = values
        group = "choices" if qtype.uses_choices else "items" if qtype.uses_items else None
        if group:
            qdoc[group] = [
                {
                    "key": c.key,
                    "label": texts(c.label, {t.language: t.label for t in c.translations.all()}),
                }
                for c in q.choices.all()
            ]
        for flag in ("randomize", "shuffle"):
            if (q.settings or {}).get(flag):
                qdoc[flag] = True
        if q.logic:
            qdoc["show_if"] = q.logic
        doc["questions"].append(qdoc)
    return doc
