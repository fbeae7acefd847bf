"""Ratings: the customer's answer to "How were you treated?", and the follow-up that a bad one
opens for the team's manager.

The answer is a response to the organisation's rating survey: this module and
`contento.support.ratings` are the only parts of the desk that use the survey engine.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contento.accounts.models import Membership
from contento.core.idempotency import IdempotencyKey
from contento.support import ratings
from contento.support.actions.steps import check_member, record_event
from contento.support.actions.tickets import do_create_ticket
from contento.support.models import Ticket, TicketEvent, TicketMessage, TicketRating
from contento.surveys.actions import do_save_page, do_start_response
from contento.surveys.localize import localize
from contento.surveys.models import Response

BAD_RATING = 2


def do_rate_ticket(rating, score: int | None = None, comment: str | None = None, at=None):
    """Record the customer's answer to "How were you treated?" (score first, comment after).

    The answer is saved into the organisation's rating survey, page by page, so a one-click
    score counts at once and a comment added later completes the response. A score of 2 or
    less opens a follow-up for the team's manager, once per rating.
    """
    if score is not None and not (isinstance(score, int) and 1 <= score <= 5):
        raise ValidationError({"score": "Choose a score from 1 to 5."})
    at = at or timezone.now()
    survey = ratings.rating_survey(rating.organization)
    language = rating.language if rating.language in survey.all_languages else "en"
    local = localize(survey, language)
    questions = local.by_key()
    with transaction.atomic():
        rating = type(rating).objects.select_for_update().get(pk=rating.pk)
        score_before = rating.score
        response = do_start_response(
            survey,
            code=rating.code,
            language=language,
            source=Response.Source.PERSONAL,
            customer=rating.ticket.customer,
            at=at,
        )
        fields = []
        if score is not None and response.status != Response.Status.COMPLETE:
            field = questions[ratings.RATING_QUESTION].field_name
            errors = do_save_page(local, response, 1, {field: str(score)}, at=at).errors
            if errors:
                raise ValidationError(errors)
            rating.score = score
            rating.answered_at = at
            rating.status = rating.Status.ANSWERED
            fields += ["score", "answered_at", "status"]
        if comment is not None and rating.score is not None:
            response.refresh_from_db()
            if response.status != Response.Status.COMPLETE:
                field = questions[ratings.COMMENT_QUESTION].field_name
                do_save_page(local, response, 2, {field: comment.strip()[:10000]}, at=at)
                rating.comment = comment.strip()[:10000]
                fields.append("comment")
        rating.response = response
        rating.save(update_fields=[*fields, "response"])
        if rating.score != score_before:  # a comment sent with the same score is no new rating
            record_event(
                rating.ticket, TicketEvent.Kind.RATED, score_before or "", rating.score, at=at
            )
        if rating.score is not None and rating.score <= BAD_RATING:
            _open_follow_up(rating, at)
    return rating


def _open_follow_up(rating, at) -> None:
    ticket = rating.ticket
    body = f"{rating.score}/5" + (f"\n\n{rating.comment}" if rating.comment else "")
    if rating.follow_up_id is not None:
        if rating.comment:
            TicketMessage.objects.filter(
                ticket_id=rating.follow_up_id, kind=TicketMessage.Kind.MESSAGE
            ).update(body=body)
        return
    manager = (ticket.team.manager if ticket.team else None) or (
        Membership.objects.filter(organization_id=ticket.organization_id, role="manager")
        .order_by("pk")
        .first()
    )
    follow_up = do_create_ticket(
        ticket.organization,
        customer=ticket.customer,
        subject=f"Follow-up: [#{ticket.reference}] {ticket.subject}"[:250],
        body=body,
        channel=Ticket.Channel.FOLLOW_UP,
        team=ticket.team,
        priority=Ticket.Priority.HIGH,
        product=ticket.product,
        language=ticket.language,
        idempotency_key=IdempotencyKey.for_system(f"rating-follow-up:{rating.code}"),
        at=at,
    )
    follow_up.parent = ticket
    follow_up.assignee = manager
    follow_up.save(update_fields=["parent", "assignee"])
    rating.follow_up = follow_up
    rating.save(update_fields=["follow_up"])


def do_record_conversation_rating(ticket: Ticket, author: Membership, score: int, at=None):
    """Record the satisfaction a customer told a member in person or on the phone.

    It is the same answer as the emailed question, credited to the member who spoke with them.
    """
    check_member(ticket, author)
    at = at or timezone.now()
    rating = TicketRating.objects.create(
        ticket=ticket,
        organization_id=ticket.organization_id,
        agent=author,
        team=ticket.team,
        language=ticket.language,
        status=TicketRating.Status.SENT,
        send_after=at,
        sent_at=at,
    )
    return do_rate_ticket(rating, score, at=at)
