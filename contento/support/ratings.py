"""The satisfaction question after every solved ticket: "How were you treated?".

The answer is a response to the organisation's rating survey (built on the survey engine, so
it counts in every CSAT figure), and a `TicketRating` ties it to the ticket and to the agent
and team who handled it when the question was sent.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contento.support.access import read_signed_for_ticket, signed_for_ticket
from contento.support.models import DeskSettings, Ticket, TicketRating

RATING_QUESTION = "treated"
COMMENT_QUESTION = "comment"
_SALT = "contento.support.rating"

RATING_DEFINITION = {
    "format": "contento.survey/1",
    "default_language": "en",
    "languages": ["en", "es", "fr", "ru", "vi", "id"],
    "title": {
        "en": "How were you treated?",
        "es": "¿Cómo le atendimos?",
        "fr": "Comment avez-vous été traité ?",
        "ru": "Как вас обслужили?",
        "vi": "Bạn được phục vụ như thế nào?",
        "id": "Bagaimana kami melayani Anda?",
    },
    "thank_you": {
        "en": "Thank you for telling us.",
        "es": "Gracias por contárnoslo.",
        "fr": "Merci de nous l'avoir dit.",
        "ru": "Спасибо, что рассказали нам.",
        "vi": "Cảm ơn bạn đã cho chúng tôi biết.",
        "id": "Terima kasih telah memberi tahu kami.",
    },
    "questions": [
        {
            "key": RATING_QUESTION,
            "type": "csat",
            "required": True,
            "page": 1,
            "text": {
                "en": "How satisfied are you with how we handled your request?",
                "es": "¿Qué tan satisfecho está con cómo atendimos su solicitud?",
                "fr": "Êtes-vous satisfait de la façon dont nous avons traité votre demande ?",
                "ru": "Насколько вы довольны тем, как мы обработали ваш запрос?",
                "vi": "Bạn hài lòng thế nào với cách chúng tôi xử lý yêu cầu của bạn?",
                "id": "Seberapa puas Anda dengan cara kami menangani permintaan Anda?",
            },
        },
        {
            "key": COMMENT_QUESTION,
            "type": "text",
            "page": 2,
            "text": {
                "en": "Anything you would like to add?",
                "es": "¿Algo que quiera añadir?",
                "fr": "Souhaitez-vous ajouter quelque chose ?",
                "ru": "Хотите что-нибудь добавить?",
                "vi": "Bạn có muốn nói thêm điều gì không?",
                "id": "Ada yang ingin Anda tambahkan?",
            },
        },
    ],
}


def desk_settings(organization) -> DeskSettings:
    settings, _created = DeskSettings.objects.get_or_create(organization=organization)
    return settings


def rating_survey(organization):
    """Return the organisation's live rating survey, creating it on first use."""
    from contento.surveys.actions import do_create_survey, do_set_survey_status
    from contento.surveys.models import Survey

    with transaction.atomic():
        settings = DeskSettings.objects.select_for_update().filter(organization=organization)
        settings = settings.first() or desk_settings(organization)
        survey = settings.rating_survey
        if survey is None:
            survey = do_create_survey(organization, RATING_DEFINITION)
            do_set_survey_status(survey, Survey.Status.LIVE)
            settings.rating_survey = survey
            settings.save(update_fields=["rating_survey"])
        return survey


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
    from django.conf import settings
    from django.urls import reverse

    path = reverse("support_public:rate", args=[rating_token(rating)])
    return f"{settings.SITE_URL}{path}" + (f"?score={score}" if score else "")


def send(rating_code: str) -> str:
    """Email the rating question with five one-click answers, once; return what happened.

    A customer who withdrew consent, was erased or has no address is not asked.
    """
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from django.utils import translation

    from contento.support.channels.email import outbound

    with transaction.atomic():
        rating = (
            TicketRating.objects.select_for_update(of=("self",))
            .select_related("ticket__customer", "ticket__team", "ticket__organization")
            .filter(code=rating_code)
            .first()
        )
        if rating is None or rating.status != TicketRating.Status.SCHEDULED:
            return "skipped"
        ticket, customer = rating.ticket, rating.ticket.customer
        if not customer.email or not customer.contact_consent or customer.erased_at:
            rating.status = TicketRating.Status.SKIPPED
            rating.save(update_fields=["status"])
            return "skipped"
        survey = rating_survey(ticket.organization)
        from contento.surveys.localize import localize

        local = localize(survey, rating.language)
        question = local.by_key()[RATING_QUESTION]
        context = {
            "ticket": ticket,
            "customer": customer,
            "question": question.text,
            "scores": [(n, rating_url(rating, n)) for n in range(1, 6)],
            "url": rating_url(rating),
        }
        with translation.override(rating.language):
            subject = render_to_string("support/email/rating_subject.txt", context).strip()
            body = render_to_string("support/email/rating.txt", context)
            html = render_to_string("support/email/rating.html", context)
        mail = EmailMultiAlternatives(
            subject,
            body,
            from_email=outbound.sender(ticket),
            to=[customer.email],
            headers={"Auto-Submitted": "auto-generated", outbound.LOOP_HEADER: ticket.reference},
        )
        mail.attach_alternative(html, "text/html")
        mail.send()
        rating.status = TicketRating.Status.SENT
        rating.sent_at = timezone.now()
        rating.save(update_fields=["status", "sent_at"])
    return "sent"
