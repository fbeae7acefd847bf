"""Background work of the surveys app (Django's Tasks API)."""

import logging
from datetime import timedelta

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from contento.accounts.emails import branded_message
from contento.accounts.models import Organization
from contento.accounts.registers import speaking
from contento.core import queues
from contento.customers.actions import mark_surveyed
from contento.customers.unsubscribe import unsubscribe_headers, unsubscribe_url
from contento.surveys import analysis, tracked
from contento.surveys.links import personal_url
from contento.surveys.localize import localize
from contento.surveys.models import Invitation, Response, Survey

log = logging.getLogger(__name__)


@task(queue_name=queues.MAIL)
def send_invitation(invitation_code: str) -> str:
    """Email one invitation with the customer's personal link, once.

    Safe to retry: the row is locked while sending, and a sent invitation is not sent again.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("survey__organization", "customer")
            .filter(code=invitation_code)
            .first()
        )
        if invitation is None or invitation.status == Invitation.Status.SENT:
            return "skipped"
        survey, customer = invitation.survey, invitation.customer
        problem = customer.reach_problem(survey.organization.survey_gap_days)
        if problem:
            # Erased, unreachable, withdrew consent after being invited, or surveyed within
            # the workspace's gap between two surveys (which holds for every send): never send.
            invitation.status = Invitation.Status.FAILED
            invitation.error = (
                "The customer was surveyed recently."
                if problem == "recent"
                else "The customer may not be contacted."
            )
            invitation.save(update_fields=["status", "error"])
            return "skipped"
        if not survey.organization.sends_mail:
            invitation.status = Invitation.Status.FAILED
            invitation.error = "The demo workspace sends no mail."
            invitation.save(update_fields=["status", "error"])
            return "skipped"
        language = (
            invitation.language
            if invitation.language in survey.all_languages
            else survey.default_language
        )
        local = localize(survey, language)
        url = personal_url(survey, customer, language=language)
        context = {
            "customer": customer,
            "title": local.title,
            "description": local.description,
            "url": url,
            "action_url": url,
            "action_label": local.title,
            "unsubscribe_url": unsubscribe_url(customer),
            "LANGUAGE_CODE": language,
            "organization": survey.organization,
        }
        organization = survey.organization
        with translation.override(speaking(organization, language)):
            subject = render_to_string("surveys/email/invitation_subject.txt", context).strip()
            body = render_to_string("surveys/email/invitation.txt", context)
            branded_message(
                organization,
                subject=subject,
                text=body,
                html_template="surveys/email/invitation.html",
                context=context,
                to=[customer.email],
                headers=unsubscribe_headers(customer),
            ).send()
        mark_surveyed([customer.pk])
        invitation.status = Invitation.Status.SENT
        invitation.sent_at = timezone.now()
        invitation.error = ""
        invitation.save(update_fields=["status", "sent_at", "error"])
    log.info("invitation sent", extra={"invitation": invitation_code, "survey": str(survey.code)})
    return "sent"


@task(queue_name=queues.ANALYSIS)
def analyze_answers(answer_ids: list[int]) -> int:
    """Read open-text answers for language, sentiment and anger; queue themes when due.

    Safe to retry: answers the current model already read are skipped.
    """
    return analysis.analyze_answers(answer_ids)


@task(queue_name=queues.ANALYSIS)
def drain_answers() -> int:
    """Read the unread open-text answers in batches from the database (see
    `analysis.drain`); return how many were read."""
    return analysis.drain()


@task(queue_name=queues.ANALYSIS)
def assign_tracked_themes(organization_code: str) -> int:
    """Assign every analysed answer of the workspace to its tracked themes again (after the
    themes changed); return how many answers were read."""
    organization = Organization.objects.filter(code=organization_code).first()
    return 0 if organization is None else tracked.reassign(organization)


@task(queue_name=queues.ANALYSIS)
def compute_themes(survey_code: str, force: bool = False) -> str:
    """Group a survey's analysed answers into themes, if due (always with `force`)."""
    survey = Survey.objects.filter(code=survey_code).first()
    if survey is None:
        return "skipped"
    try:
        count = analysis.compute_themes(survey, force=force)
    finally:
        analysis.finish_themes(survey.pk)
    return "skipped" if count is None else f"{count} themes"


# Work queued after a commit is lost if the process dies between the commit and the enqueue,
# or if Redis is down at that instant: the sweep queues again what such a loss leaves behind
# (each task is idempotent, so work that was in fact queued is not done twice).
SWEEP_AFTER = timedelta(minutes=2)
SWEEP_WITHIN = timedelta(days=7)


@task()
def sweep() -> dict:
    """Queue again the answers still unread, the invitations still unsent and the thanks
    whose queueing was lost (a customer who may not be contacted is skipped again, cheaply,
    until the window closes)."""
    now = timezone.now()
    # Answers left unread this long: the drain that should read them was lost (its queueing
    # failed, or its flag outlived a killed worker). One more drain reads them all.
    waiting = (
        analysis.unread_answers()
        .filter(answered_at__lt=now - SWEEP_AFTER, answered_at__gte=now - SWEEP_WITHIN)
        .exists()
    )
    if waiting:
        analysis.request_drain(force=True)
    unsent = list(
        Invitation.objects.filter(
            status=Invitation.Status.PENDING,
            created_at__lt=now - SWEEP_AFTER,
            created_at__gte=now - SWEEP_WITHIN,
        ).values_list("code", flat=True)[:5000]
    )
    for code in unsent:
        send_invitation.enqueue(str(code))
    unthanked = list(
        Response.objects.filter(
            survey__thank_by_email=True,
            status=Response.Status.COMPLETE,
            customer__isnull=False,
            thanked_at__isnull=True,
            completed_at__lt=now - SWEEP_AFTER,
            completed_at__gte=now - SWEEP_WITHIN,
        ).values_list("code", flat=True)[:5000]
    )
    for code in unthanked:
        send_thanks.enqueue(str(code))
    return {"analysis": int(waiting), "invitations": len(unsent), "thanks": len(unthanked)}


@task(queue_name=queues.MAIL)
def send_thanks(response_code: str) -> str:
    """Thank a customer by email for a completed response, once, in its language.

    Safe to retry: the response is locked while sending and marked thanked after. The email is
    written before that transaction: on SQLite a transaction holds the only write lock from its
    start, and every submission would wait while templates render.
    """
    responses = Response.objects.filter(code=response_code, status=Response.Status.COMPLETE)
    response = responses.select_related("survey__organization", "customer").first()
    if response is None or response.thanked_at is not None or response.customer is None:
        return "skipped"
    survey, customer = response.survey, response.customer
    organization = survey.organization
    # A thank-you answers the customer's own answer: the gap between surveys is no bar.
    reachable = not customer.reach_problem()
    if not reachable or not organization.sends_mail or not survey.thank_by_email:
        return "skipped"
    language = (
        response.language if response.language in survey.all_languages else survey.default_language
    )
    local = localize(survey, language)
    context = {
        "customer": customer,
        "title": local.title,
        "thank_you": local.thank_you,
        "unsubscribe_url": unsubscribe_url(customer),
        "LANGUAGE_CODE": language,
        "organization": organization,
    }
    with translation.override(speaking(organization, language)):
        subject = _("Thank you, %(name)s") % {"name": customer.name.split(" ")[0]}
        message = branded_message(
            organization,
            subject=subject,
            text=render_to_string("surveys/email/thanks.txt", context),
            html_template="surveys/email/thanks.html",
            context=context,
            to=[customer.email],
            headers=unsubscribe_headers(customer),
        )
    with transaction.atomic():
        # Another run may have thanked the customer meanwhile (a retry): the lock decides.
        locked = responses.select_for_update().filter(thanked_at__isnull=True).first()
        if locked is None:
            return "skipped"
        message.send()
        locked.thanked_at = timezone.now()
        locked.save(update_fields=["thanked_at"])
    return "sent"
