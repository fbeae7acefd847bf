import datetime as dt
from typing import Any
from uuid import UUID

from ninja import Schema


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
    status: str


class ResponseIn(Schema):
    answers: dict[str, Any]
    language: str | None = None
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
