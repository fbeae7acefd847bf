"""What the surveys hold about a customer: the invitations sent to them and what they answered."""

import segno
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from contento.customers.personal import (
    Entry,
    Erasure,
    Panel,
    PersonalData,
    iso,
    record_key,
    register,
    short,
)
from contento.surveys.actions import do_blank_answer_texts
from contento.surveys.links import personal_url
from contento.surveys.models import (
    Answer,
    AnswerTheme,
    Invitation,
    MonthlyScoreCount,
    PairMoment,
    Response,
    ScoreCount,
    Survey,
)

SCORE_KINDS = ("nps", "csat", "ces")


def _survey(survey) -> dict:
    return {"code": str(survey.code), "title": survey.title}


def _answer(a) -> dict:
    return {
        "question": a.question.key,
        "question_text": a.question.text,
        "item": a.item.key if a.item_id else None,
        "part": a.part,
        "choice": a.choice.key if a.choice_id else None,
        "value": a.value,
        "text": a.text,
        "answered_at": iso(a.answered_at),
    }


def _scores_and_comment(response) -> str:
    scores, comments = [], []
    for a in response.answers.all():
        if a.question.kind in SCORE_KINDS and a.value is not None and a.item_id is None:
            scores.append(f"{a.question.kind.upper()} {a.value}")
        elif a.text:
            comments.append(f"“{short(a.text)}”")
    return " · ".join(scores + comments)


@register
class SurveyRecords(PersonalData):
    models = (Response, Answer, AnswerTheme, Invitation)
    no_personal_data = {
        ScoreCount: "counts of scores per survey and day, no one's in particular",
        MonthlyScoreCount: "counts of scores per survey and month, no one's in particular",
        PairMoment: "sums over pairs of scores, no one's in particular",
    }

    def export(self, customer):
        answers = Answer.objects.select_related("question", "item", "choice").order_by(
            "question__page", "question__position", "pk"
        )
        responses = (
            customer.responses.select_related("survey")
            .prefetch_related(Prefetch("answers", queryset=answers))
            .order_by("started_at", "pk")
        )
        invitations = customer.invitations.select_related("survey").order_by("created_at", "pk")
        return {
            "survey_invitations": [
                {
                    "code": str(i.code),
                    "survey": _survey(i.survey),
                    "status": i.status,
                    "language": i.language,
                    "created_at": iso(i.created_at),
                    "sent_at": iso(i.sent_at),
                }
                for i in invitations
            ],
            "survey_responses": [
                {
                    "code": str(r.code),
                    "survey": _survey(r.survey),
                    "status": r.status,
                    "source": r.source,
                    "language": r.language,
                    "started_at": iso(r.started_at),
                    "completed_at": iso(r.completed_at),
                    "answers": [_answer(a) for a in r.answers.all()],
                }
                for r in responses
            ],
            "tracked_themes_of_answers": [
                {
                    "response": str(t.answer.response.code),
                    "question": t.answer.question.key,
                    "theme": dict(t.theme.names),
                    "confidence": t.confidence,
                    "sentence": t.sentence,
                }
                for t in AnswerTheme.objects.filter(answer__response__customer=customer)
                .select_related("answer__response", "answer__question", "theme")
                .order_by("answer__response__started_at", "pk")
            ],
        }

    def erase(self, erasure: Erasure):
        """Blank the text of their answers and the errors of their invitations; call off the
        invitations not yet sent. The responses, their link to the customer row and their
        scores stay, so every figure reads the same."""
        customer = erasure.customer
        do_blank_answer_texts(Response.objects.filter(customer=customer))
        invitations = Invitation.objects.filter(customer=customer)
        invitations.exclude(error="").update(error="")
        invitations.filter(status=Invitation.Status.PENDING).update(status=Invitation.Status.FAILED)

    def timeline(self, customer, limit):
        return self._invitations(customer, limit) + self._responses(customer, limit)

    @staticmethod
    def _invitations(customer, limit) -> list[Entry]:
        rows = (
            customer.invitations.filter(sent_at__isnull=False)
            .select_related("survey")
            .order_by("-sent_at", "-pk")[:limit]
        )
        return [
            Entry(
                at=i.sent_at,
                kind="survey_invited",
                category="survey",
                icon="✉",
                title=_("Invited to the survey %(survey)s") % {"survey": i.survey.title},
            )
            for i in rows
        ]

    @staticmethod
    def _responses(customer, limit) -> list[Entry]:
        answers = Answer.objects.select_related("question").filter(
            Q(question__kind__in=SCORE_KINDS, value__isnull=False) | ~Q(text="")
        )
        rows = (
            customer.responses.filter(status=Response.Status.COMPLETE)
            .select_related("survey")
            .prefetch_related(
                Prefetch("answers", queryset=answers.order_by("question__page", "pk"))
            )
            .order_by("-completed_at", "-pk")[:limit]
        )
        return [
            Entry(
                at=r.completed_at or r.started_at,
                kind="survey_completed",
                category="survey",
                icon="★",
                title=_("Answered the survey %(survey)s") % {"survey": r.survey.title},
                detail=_scores_and_comment(r),
                rank=1,
                key=record_key(r),
            )
            for r in rows
        ]

    def panels(self, customer, membership):
        responses = customer.responses.select_related("survey").order_by("-started_at")[:50]
        panels = [Panel("surveys/customer_responses.html", {"responses": responses})]
        live = list(
            Survey.objects.filter(organization=membership.organization, status=Survey.Status.LIVE)
        )
        if live and membership.can("response.submit") and customer.erased_at is None:
            modes = [(m.value, m.label) for m in (Response.Mode.PHONE, Response.Mode.IN_PERSON)]
            panels.append(
                Panel(
                    "surveys/customer_interview.html",
                    {"customer": customer, "surveys": live, "modes": modes},
                )
            )
        if membership.can("survey.edit"):
            links = [
                (s, url, segno.make(url, error="m").svg_inline(scale=2, border=2))
                for s in live
                for url in [personal_url(s, customer)]
            ]
            if links:
                panels.append(
                    Panel("surveys/customer_links.html", {"links": links}, after_timeline=True)
                )
        return panels
