import datetime as dt
from typing import Annotated, Any, Literal
from uuid import UUID

from django.conf import settings
from ninja import Field, Schema
from pydantic import ConfigDict, StringConstraints

from contento.core.api import choice_of, one_of, text
from contento.surveys import definition
from contento.surveys.logic import MAX_CONDITIONS, OPERATORS
from contento.surveys.models import Survey
from contento.surveys.questions import TYPES
from contento.surveys.questions.base import SCALE_LIMIT

Language = one_of(code for code, _name in settings.LANGUAGES)


def localized(max_length: int, *, required: bool = True):
    """A text in the default language (a string), or texts by language code."""
    return text(max_length, required=required) | dict[Language, text(max_length)]


Key = Annotated[str, StringConstraints(pattern=definition.KEY_RE.pattern)]


class ChoiceDefinition(Schema):
    model_config = ConfigDict(extra="forbid")

    key: Key
    label: localized(definition.MAX_LABEL)


class Condition(Schema):
    """Show the question only when an earlier answer meets this (see docs/survey-definition.md)."""

    model_config = ConfigDict(extra="forbid")

    question: Key
    op: one_of(OPERATORS)
    value: Any = None


class AllConditions(Schema):
    """Show the question only when every one of these conditions is met."""

    model_config = ConfigDict(extra="forbid")

    all: list[Condition] = Field(..., min_length=1, max_length=MAX_CONDITIONS)


class AnyConditions(Schema):
    """Show the question when at least one of these conditions is met."""

    model_config = ConfigDict(extra="forbid")

    any: list[Condition] = Field(..., min_length=1, max_length=MAX_CONDITIONS)


class QuestionDefinition(Schema):
    model_config = ConfigDict(extra="forbid")

    key: Key
    type: one_of(TYPES)
    text: localized(definition.MAX_TEXT)
    help: localized(definition.MAX_TEXT, required=False) | None = None
    required: bool = False
    page: int = Field(None, ge=1, le=100)
    min: int = Field(None, ge=-SCALE_LIMIT, le=SCALE_LIMIT)
    max: int = Field(None, ge=-SCALE_LIMIT, le=SCALE_LIMIT)
    min_label: localized(definition.MAX_LABEL, required=False) | None = None
    max_label: localized(definition.MAX_LABEL, required=False) | None = None
    choices: list[ChoiceDefinition | text(definition.MAX_LABEL, required=True)] = Field(
        None, max_length=definition.MAX_CHOICES
    )
    items: list[ChoiceDefinition | text(definition.MAX_LABEL, required=True)] = Field(
        None, max_length=definition.MAX_CHOICES
    )
    show_if: Condition | AllConditions | AnyConditions | None = None
    randomize: bool = False
    shuffle: bool = False


class SurveyDefinition(Schema):
    """A whole survey as one document (docs/survey-definition.md).

    Beyond this shape, the product checks what a schema cannot say: keys are unique, pages do
    not go backwards, texts in the default language exist, a question's fields fit its type
    and a condition names an earlier question; a document that breaks one is refused (422)
    with every problem listed by path.
    """

    model_config = ConfigDict(extra="forbid")

    format: Literal["contento.survey/1"] = "contento.survey/1"
    default_language: Language = "en"
    languages: list[Language] | None = None
    title: localized(200)
    description: localized(definition.MAX_LONG_TEXT, required=False) | None = None
    thank_you: localized(definition.MAX_LONG_TEXT, required=False) | None = None
    questions: list[QuestionDefinition] | None = Field(None, max_length=definition.MAX_QUESTIONS)


class SurveyOut(Schema):
    code: UUID
    title: str
    status: str
    default_language: str
    languages: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime
    public_url: str


class SurveyDetailOut(SurveyOut):
    definition: dict[str, Any]


class StatusIn(Schema):
    status: choice_of(Survey, "status")


class ResponseIn(Schema):
    answers: dict[str, Any]
    language: Language | None = None
    customer: UUID | None = None


class ResponseOut(Schema):
    code: UUID
    status: str
    source: str
    language: str
    customer: UUID | None
    started_at: dt.datetime
    completed_at: dt.datetime | None
    answers: dict[str, Any]


class MetricOut(Schema):
    question: str
    kind: str
    value: float | None
    lower: float | None
    upper: float | None
    confidence: float
    method: str | None
    n: int
    counts: dict[str, int]


class MetricsOut(Schema):
    survey: UUID
    responses_started: int
    responses_completed: int
    metrics: list[MetricOut]
