"""The satisfaction question after every solved ticket: "How were you treated?".

The answer is a response to the organisation's rating survey (built on the survey engine, so
it counts in every CSAT figure), and a `TicketRating` ties it to the ticket and to the agent
and team who handled it when the question was sent. This module and `actions.ratings` are the
only parts of the desk that use the survey engine.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from contento.support.access import read_signed_for_ticket, signed_for_ticket
from contento.support.models import DeskSettings, Ticket, TicketRating
from contento.surveys.actions import do_blank_answer_texts, do_create_survey, do_set_survey_status
from contento.surveys.localize import LocalSurvey, localize
from contento.surveys.models import Question, Survey

RATING_QUESTION = "treated"
COMMENT_QUESTION = "comment"
_SALT = "contento.support.rating"

# The rating survey's texts are in the translators' catalogs like every other string; each
# workspace's survey is made from them in every language when it is first needed.
TITLE = gettext_noop("How were you treated?")
THANK_YOU = gettext_noop("Thank you for telling us.")
RATING_TEXT = gettext_noop("How satisfied are you with how we handled your request?")
COMMENT_TEXT = gettext_noop("Anything you would like to add?")


def _in_every_language(message: str) -> dict[str, str]:
    texts = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            texts[language] = translation.gettext(message)
    return texts


def rating_definition() -> dict:
    """The rating survey's definition, in every language of the installation."""
    return {
        "format": "contento.survey/1",
        "default_language": "en",
        "languages": [language for language, _name in settings.LANGUAGES],
        "title": _in_every_language(TITLE),
        "thank_you": _in_every_language(THANK_YOU),
        "questions": [
            {
                "key": RATING_QUESTION,
                "type": "csat",
                "required": True,
                "page": 1,
                "text": _in_every_language(RATING_TEXT),
            },
            {
                "key": COMMENT_QUESTION,
                "type": "text",
                "page": 2,
                "text": _in_every_language(COMMENT_TEXT),
            },
        ],
    }


def desk_settings(organization) -> DeskSettings:
    found, _created = DeskSettings.objects.get_or_create(organization=organization)
    return found


def rating_survey(organization):
    """Return the organisation's live rating survey, creating it on first use."""
    with transaction.atomic():
        desk = DeskSettings.objects.select_for_update().filter(organization=organization)
        desk = desk.first() or desk_settings(organization)
        survey = desk.rating_survey
        if survey is None:
            survey = do_create_survey(organization, rating_definition())
            do_set_survey_status(survey, Survey.Status.LIVE)
            desk.rating_survey = survey
            desk.save(update_fields=["rating_survey"])
        return survey


def local_survey(rating: TicketRating) -> LocalSurvey:
    """The rating survey in the rating's language (English when the survey lacks it)."""
    survey = rating_survey(rating.organization)
    return localize(survey, rating.language if rating.language in survey.all_languages else "en")


def eligible_surveys(organization, current=None):
    """The surveys a workspace may rate its tickets with: live, with a CSAT question keyed
    `RATING_QUESTION`; and the one chosen now, whatever it has become."""
    surveys = Survey.objects.filter(
        organization=organization,
        status=Survey.Status.LIVE,
        questions__key=RATING_QUESTION,
        questions__kind=Question.Kind.CSAT,
    )
    if current is not None:
        surveys = surveys | Survey.objects.filter(pk=current.pk)
    return surveys.distinct().order_by("title")


def schedule(ticket: Ticket, at=None) -> TicketRating | None:
    """Plan the rating request of a just-solved ticket, after the organisation's delay.

    The agent and team are those of the ticket now. A ticket solved again after reopening gets
    a new request, unless the previous one is still waiting to be sent.
    """
    if ticket.channel == Ticket.Channel.FOLLOW_UP:
        return None
    at = at or timezone.now()
    delay = timedelta(minutes=desk_settings(ticket.organization).rating_delay_minutes)
    pending = ticket.ratings.filter(status=TicketRating.Status.SCHEDULED).first()
    if pending is not None:
        pending.send_after = at + delay
        pending.agent_id = ticket.assignee_id
        pending.team_id = ticket.team_id
        pending.save(update_fields=["send_after", "agent", "team"])
        return pending
    return TicketRating.objects.create(
        ticket=ticket,
        organization_id=ticket.organization_id,
        agent_id=ticket.assignee_id,
        team_id=ticket.team_id,
        language=ticket.customer.language,
        send_after=at + delay,
    )


def erase_ratings(ratings) -> None:
    """On a customer's erasure: call off rating requests not yet sent, blank the comments and
    what was written in the rating survey's answers (the scores stay)."""
    ratings.filter(status=TicketRating.Status.SCHEDULED).update(status=TicketRating.Status.SKIPPED)
    ratings.exclude(comment="").update(comment="")
    do_blank_answer_texts(ratings.exclude(response=None).values("response_id"))


def rating_token(rating: TicketRating) -> str:
    return signed_for_ticket(str(rating.code), rating.ticket, _SALT)


def rating_from_token(token: str) -> TicketRating | None:
    """Return the rating a signed link names, None if forged; raise LinkExpired if too old."""

    def find(code):
        rating = (
            TicketRating.objects.select_related("ticket", "ticket__customer", "organization")
            .filter(code=code)
            .first()
        )
        return (rating, rating.ticket) if rating is not None else None

    try:
        return read_signed_for_ticket(token, _SALT, find)
    except ValidationError:  # a payload that is not a rating code
        return None


def rating_url(rating: TicketRating, score: int | None = None) -> str:
    path = reverse("support_public:rate", args=[rating_token(rating)])
    link = rating.ticket.organization.public_link(path)
    return link + (f"?score={score}" if score else "")
