"""Campaigns: invitations to a survey for an audience, by email or text message, sent at the
right moment, reminded, and counted from sending to answering.

Queueing a campaign writes one `Delivery` per member of its audience, in one transaction and
a fixed number of statements per thousand customers: the reachable ones scheduled at the
campaign's local time in their own time zone (moved out of the workspace's quiet hours), the
others left out with the reason, so every exclusion is counted and nobody is invited twice.
The worker's minute tick (`tick`) then sends what is due, at most `per_minute` a minute per
campaign, and the reminders; every send re-checks consent and the workspace's gap between
surveys, since either may have changed since the campaign was queued.
"""

import datetime as dt
import logging
import secrets
import zoneinfo
from collections import Counter

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, Count, Q, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contento.accounts.emails import branded_message
from contento.accounts.registers import speaking
from contento.core import queues, sms
from contento.core.bulk import insert_rows
from contento.customers.actions import do_unsubscribe, mark_surveyed
from contento.customers.models import Customer
from contento.customers.unsubscribe import unsubscribe_headers, unsubscribe_url
from contento.distribution.audiences import audience_customers
from contento.distribution.bounces import invitation_message_id
from contento.distribution.models import Campaign, Delivery
from contento.stats import proportion
from contento.surveys.links import link_key, personal_url
from contento.surveys.localize import localize
from contento.surveys.models import Response, Survey
from contento.surveys.piping import pipe

log = logging.getLogger(__name__)
CHUNK = 2000
Reason = Delivery.Reason


# The message ------------------------------------------------------------------------------


def default_message(survey: Survey, language: str) -> dict[str, str]:
    """The catalog's invitation in `language`, for a campaign that writes none of its own."""
    with translation.override(speaking(survey.organization, language)):
        return {
            "subject": _("%(business)s would like your opinion")
            % {"business": survey.organization.name},
            "body": _(
                "Hello {customer:first_name},\n\n"
                "We would like to know how satisfied you are with us. It takes two minutes, "
                "and every answer is read.\n\nThank you for your time."
            ),
        }


def default_text(survey: Survey, language: str) -> dict[str, str]:
    """The catalog's text message in `language`; the survey's short link follows it."""
    with translation.override(speaking(survey.organization, language)):
        return {
            "text": _(
                "Hello {customer:first_name}, %(business)s would like your opinion (two minutes):"
            )
            % {"business": survey.organization.name}
        }


def message_for(campaign: Campaign, language: str) -> dict[str, str]:
    written = (campaign.messages or {}).get(language) or {}
    if campaign.channel == Campaign.Channel.SMS:
        default = default_text(campaign.survey, language)
    else:
        default = default_message(campaign.survey, language)
    return {key: (written.get(key) or "").strip() or default[key] for key in default}


TEXT_MAX = 480  # three SMS parts in the GSM alphabet, seven in any other


def clean_messages(survey: Survey, messages: dict) -> dict:
    """The messages in their stored shape: the survey's languages only, subject on one line."""
    cleaned = {}
    for language in survey.all_languages:
        written = messages.get(language) or {}
        subject = " ".join(str(written.get("subject") or "").split())[:200]
        body = str(written.get("body") or "").strip()[:5000]
        text = " ".join(str(written.get("text") or "").split())[:TEXT_MAX]
        message = {
            key: value
            for key, value in (("subject", subject), ("body", body), ("text", text))
            if value
        }
        if message:
            cleaned[language] = message
    return cleaned


def _filled(text: str, local, customer) -> str:
    return "\n".join(
        pipe(line, local=local, values={}, customer=customer) if line else ""
        for line in text.splitlines()
    )


def invitation_email(
    campaign: Campaign, customer: Customer, language: str, *, delivery=None, reminder=False
):
    """The invitation (or a reminder) to `customer`, with its survey link, unsubscribe link
    and headers; `delivery` makes the link and the open count that delivery's."""
    survey, organization = campaign.survey, campaign.organization
    local = localize(survey, language)
    message = message_for(campaign, language)
    with translation.override(speaking(organization, language)):
        subject = _filled(message["subject"], local, customer)
        if reminder:
            subject = _("Reminder: %(subject)s") % {"subject": subject}
        paragraphs = [
            p for p in _filled(message["body"], local, customer).split("\n\n") if p.strip()
        ]
        if delivery is not None:
            url = organization.public_link(
                reverse("distribution_public:click", args=[delivery.code])
            )
            pixel = organization.public_link(
                reverse("distribution_public:open", args=[delivery.code])
            )
        else:
            url, pixel = (
                personal_url(survey, customer, wave=str(campaign.code), language=language),
                "",
            )
        context = {
            "paragraphs": paragraphs,
            "url": url,
            "action_url": url,
            "action_label": local.title,
            "pixel": pixel,
            "reminder": reminder,
            "unsubscribe_url": unsubscribe_url(customer),
            "LANGUAGE_CODE": language,
        }
        text = render_to_string("distribution/email/invitation.txt", context)
        return branded_message(
            organization,
            subject=subject,
            text=text,
            html_template="distribution/email/invitation.html",
            context=context,
            to=[customer.email],
            headers={
                **unsubscribe_headers(customer),
                **(
                    {
                        "Message-ID": invitation_message_id(
                            delivery, delivery.reminders_sent + 1 if reminder else 0
                        )
                    }
                    if delivery
                    else {}
                ),
            },
        )


# Text messages -----------------------------------------------------------------------------

# Short codes: letters and digits that cannot be misread for one another (no 0/O, 1/l/I).
_SHORT_ALPHABET = "23456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"


def new_short_code() -> str:
    """A delivery's short link code: 10 characters, about 58 bits, unguessable."""
    return "".join(secrets.choice(_SHORT_ALPHABET) for _ in range(10))


def invitation_text(
    campaign: Campaign, customer: Customer, language: str, *, delivery=None, reminder=False
) -> str:
    """The text message inviting `customer` (or reminding them): the campaign's words, the
    survey's short link, and a short link to stop receiving surveys."""
    survey, organization = campaign.survey, campaign.organization
    local = localize(survey, language)
    with translation.override(speaking(organization, language)):
        text = _filled(message_for(campaign, language)["text"], local, customer)
        if reminder:
            text = _("Reminder: %(text)s") % {"text": text}
        if delivery is not None:
            url = organization.public_link(
                reverse("distribution_public:short", args=[delivery.short_code])
            )
            stop = organization.public_link(
                reverse("distribution_public:stop", args=[delivery.short_code])
            )
        else:
            url = personal_url(survey, customer, wave=str(campaign.code), language=language)
            stop = unsubscribe_url(customer)
        return f"{text} {url}\n" + _("No more surveys: %(url)s") % {"url": stop}


def _send(campaign: Campaign, customer: Customer, delivery: Delivery, *, reminder=False):
    """Send the invitation (or a reminder) of `delivery` by the campaign's channel."""
    if campaign.channel == Campaign.Channel.SMS:
        body = invitation_text(
            campaign, customer, delivery.language, delivery=delivery, reminder=reminder
        )
        sms.send_text(customer.phone, body)
    else:
        invitation_email(
            campaign, customer, delivery.language, delivery=delivery, reminder=reminder
        ).send()


# Who is reached ---------------------------------------------------------------------------


def _reason(organization, now, channel=Campaign.Channel.EMAIL) -> Case:
    """Why a customer is left out (empty: they are invited), as one SQL expression: the
    rule of `Customer.reach_problem`, over a whole audience at once (the audience already
    leaves out erased customers)."""
    if channel == Campaign.Channel.SMS:
        whens = [When(phone="", then=Value(Reason.NO_PHONE))]
    else:
        whens = [
            When(email="", then=Value(Reason.NO_EMAIL)),
            When(email_bounced_at__isnull=False, then=Value(Reason.BOUNCED)),
        ]
    whens += [
        When(unsubscribed_at__isnull=False, then=Value(Reason.UNSUBSCRIBED)),
        When(contact_consent=False, then=Value(Reason.NO_CONSENT)),
    ]
    if organization.survey_gap_days:
        since = now - dt.timedelta(days=organization.survey_gap_days)
        whens.append(When(last_surveyed_at__gte=since, then=Value(Reason.RECENT)))
    return Case(*whens, default=Value(""), output_field=CharField())


def reach(campaign: Campaign, now=None) -> dict:
    """How many of the audience would be invited now, and how many left out and why."""
    now = now or timezone.now()
    if campaign.audience is None:
        return {"invited": 0, "excluded": {}, "excluded_total": 0}
    rows = (
        audience_customers(campaign.audience, now=now)
        .annotate(reason=_reason(campaign.organization, now, campaign.channel))
        .order_by()
        .values("reason")
        .annotate(n=Count("pk"))
    )
    counts = {row["reason"]: row["n"] for row in rows}
    return {
        "invited": counts.pop("", 0),
        "excluded": {Reason(reason).label: n for reason, n in sorted(counts.items())},
        "excluded_total": sum(counts.values()),
    }


def send_moment(campaign: Campaign, zone_name: str, now) -> dt.datetime:
    """When a customer in `zone_name` is invited: the campaign's day and local time in their
    zone (now, if that has passed), moved past the workspace's quiet hours."""
    organization = campaign.organization
    zone = _zone(zone_name) or _zone(organization.time_zone) or dt.UTC
    local_now = now.astimezone(zone)
    moment = local_now
    if campaign.send_on is not None:
        wanted = dt.datetime.combine(campaign.send_on, campaign.send_time, tzinfo=zone)
        moment = max(wanted, local_now)
    return outside_quiet_hours(moment, organization.quiet_hours_start, organization.quiet_hours_end)


def outside_quiet_hours(moment: dt.datetime, start: dt.time, end: dt.time) -> dt.datetime:
    """`moment` (aware, in the customer's zone), or the end of the quiet hours it falls in."""
    if start == end:
        return moment
    clock = moment.timetz().replace(tzinfo=None)
    overnight = start > end
    quiet = (clock >= start or clock < end) if overnight else (start <= clock < end)
    if not quiet:
        return moment
    day = moment.date()
    if overnight and clock >= start:
        day += dt.timedelta(days=1)
    # Combined in the zone, so a daylight-saving change lands on the same local hour.
    return dt.datetime.combine(day, end, tzinfo=moment.tzinfo)


_ZONES: dict[str, zoneinfo.ZoneInfo | None] = {}


def _zone(name: str):
    if name not in _ZONES:
        try:
            _ZONES[name] = zoneinfo.ZoneInfo(name) if name else None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            _ZONES[name] = None
    return _ZONES[name]


# Queueing ----------------------------------------------------------------------------------


def do_queue_campaign(campaign: Campaign, now=None) -> dict:
    """Queue the campaign's invitations (once); return how many were scheduled and left out.

    Raises ValidationError when it cannot be sent (not a draft, the survey not live, an
    audience of nobody).
    """
    now = now or timezone.now()
    with transaction.atomic():
        campaign = (
            Campaign.objects.select_for_update(of=("self",))
            .select_related("organization", "survey", "audience")
            .get(pk=campaign.pk)
        )
        if campaign.status not in (Campaign.Status.DRAFT, Campaign.Status.QUEUED):
            raise ValidationError(_("This campaign was already sent."))
        if campaign.survey.status != Survey.Status.LIVE:
            raise ValidationError(_("Publish the survey before sending the campaign."))
        if campaign.kind == Campaign.Kind.TRIGGER:
            # A trigger asks nobody now: from here on, its events do (triggers.scan).
            campaign.status = Campaign.Status.SENDING
            campaign.queued_at = campaign.scanned_at = now
            campaign.save(update_fields=["status", "queued_at", "scanned_at"])
            return {"scheduled": 0, "excluded": {}}
        languages = set(campaign.survey.all_languages)
        default_language = campaign.survey.default_language
        audience = audience_customers(campaign.audience, now=now)
        if campaign.sample_size:
            # A random sample, drawn in the database (then read in order of the key).
            chosen = audience.order_by("?").values("pk")[: campaign.sample_size]
            audience = audience.filter(pk__in=list(chosen.values_list("pk", flat=True)))
        customers = (
            audience.annotate(reason=_reason(campaign.organization, now, campaign.channel))
            .order_by("pk")
            .values_list("pk", "language", "timezone", "reason")
        )
        wave = f"wave:{campaign.wave}" if campaign.wave else ""
        excluded: Counter = Counter()
        scheduled = 0
        moments: dict[str, dt.datetime] = {}  # by time zone: the same for all who share one
        rows: list[Delivery] = []
        # One query, read in chunks (a server-side cursor on PostgreSQL), written in batches.
        for pk, language, zone, reason in customers.iterator(chunk_size=CHUNK):
            if reason:
                excluded[reason] += 1
            else:
                scheduled += 1
            rows.append(
                Delivery(
                    campaign=campaign,
                    customer_id=pk,
                    event_key=wave,
                    language=language if language in languages else default_language,
                    status=Delivery.Status.EXCLUDED if reason else Delivery.Status.SCHEDULED,
                    reason=reason,
                    send_after=None if reason else _moment(moments, campaign, zone, now),
                )
            )
            if len(rows) == CHUNK:
                insert_rows(Delivery, rows)
                rows = []
        if rows:
            insert_rows(Delivery, rows)
        if not scheduled and not excluded:
            raise ValidationError(_("Nobody is in this audience."))
        campaign.status = Campaign.Status.SENDING
        campaign.queued_at = now
        campaign.exclusions = dict(excluded)
        campaign.save(update_fields=["status", "queued_at", "exclusions"])
    log.info("campaign queued", extra={"campaign": str(campaign.code), "scheduled": scheduled})
    return {"scheduled": scheduled, "excluded": dict(excluded)}


def schedule_for(
    campaign: Campaign, customer: Customer, at, now, *, event_key=""
) -> Delivery | None:
    """Schedule one invitation to `customer` at `at` (or now, if past), moved out of quiet
    hours in their zone, or record why they are left out; None if this event already has one."""
    organization = campaign.organization
    reason = _left_out(customer, campaign, now)
    languages = campaign.survey.all_languages
    send_after = None
    if not reason:
        zone = _zone(customer.timezone) or _zone(organization.time_zone) or dt.UTC
        moment = max(at, now).astimezone(zone)
        send_after = outside_quiet_hours(
            moment, organization.quiet_hours_start, organization.quiet_hours_end
        )
    try:
        with transaction.atomic():
            return Delivery.objects.create(
                campaign=campaign,
                customer=customer,
                event_key=event_key,
                language=customer.language
                if customer.language in languages
                else campaign.survey.default_language,
                status=Delivery.Status.EXCLUDED if reason else Delivery.Status.SCHEDULED,
                reason=reason,
                send_after=send_after,
            )
    except IntegrityError:
        return None  # this event was already seen


def _moment(moments: dict, campaign: Campaign, zone: str, now) -> dt.datetime:
    if zone not in moments:
        moments[zone] = send_moment(campaign, zone, now)
    return moments[zone]


def do_request_sending(campaign: Campaign) -> None:
    """Send a draft: checked now, prepared by the worker (`prepare_queued`), since writing the
    deliveries of a large audience takes longer than a page may wait. Raises ValidationError
    when it cannot be sent."""
    with transaction.atomic():
        campaign = (
            Campaign.objects.select_for_update(of=("self",))
            .select_related("survey")
            .get(pk=campaign.pk)
        )
        if campaign.status != Campaign.Status.DRAFT:
            raise ValidationError(_("This campaign was already sent."))
        if campaign.survey.status != Survey.Status.LIVE:
            raise ValidationError(_("Publish the survey before sending the campaign."))
        if campaign.kind == Campaign.Kind.CAMPAIGN and not (
            audience_customers(campaign.audience).exists()
        ):
            raise ValidationError(_("Nobody is in this audience."))
        campaign.status = Campaign.Status.QUEUED
        campaign.save(update_fields=["status"])
        queues.enqueue_on_commit("contento.distribution.tasks.prepare_campaign", str(campaign.code))


def repeat_due(now=None) -> int:
    """Start the next wave of every relationship survey whose months have passed since its
    last; return how many started."""
    now = now or timezone.now()
    started = 0
    repeating = Campaign.objects.filter(
        kind=Campaign.Kind.CAMPAIGN,
        status=Campaign.Status.SENT,
        repeat_months__gt=0,
        queued_at__isnull=False,
    )
    for campaign in repeating:
        if campaign.queued_at + relativedelta(months=campaign.repeat_months) > now:
            continue
        with transaction.atomic():
            updated = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.SENT).update(
                status=Campaign.Status.QUEUED, wave=campaign.wave + 1
            )
        if updated:
            try:
                do_queue_campaign(campaign, now=now)
            except ValidationError:
                # The survey was closed meanwhile: the wave waits, as a draft would.
                Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SENT)
                continue
            started += 1
    return started


def prepare_queued(now=None) -> int:
    """Prepare every campaign waiting to be (its task lost, or its worker killed: the
    preparation is one transaction, so a killed one left nothing behind)."""
    prepared = 0
    for campaign in Campaign.objects.filter(status=Campaign.Status.QUEUED):
        try:
            do_queue_campaign(campaign, now=now)
        except ValidationError:
            continue  # prepared meanwhile by its own task, or its survey was closed
        prepared += 1
    return prepared


def do_cancel_campaign(campaign: Campaign) -> int:
    """Stop a campaign: what is not sent yet is not sent; returns how many were called off."""
    with transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CANCELLED)
        campaign.status = Campaign.Status.CANCELLED
        return campaign.deliveries.filter(status=Delivery.Status.SCHEDULED).update(
            status=Delivery.Status.FAILED, error="The campaign was cancelled."
        )


# Sending -----------------------------------------------------------------------------------


def _left_out(customer: Customer, campaign: Campaign, now) -> str:
    return customer.reach_problem(
        campaign.organization.survey_gap_days, now, channel=campaign.channel
    )


def send_delivery(code, now=None) -> str:
    """Send one scheduled invitation, once: the row is locked while it is sent, and a sent
    one is not sent again (a retried or replayed task does nothing)."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("campaign__organization", "campaign__survey__organization", "customer")
            .filter(code=code)
            .first()
        )
        if delivery is None or delivery.status != Delivery.Status.SCHEDULED:
            return "skipped"
        campaign, customer = delivery.campaign, delivery.customer
        organization = campaign.organization
        reason = _left_out(customer, campaign, now)
        if not reason and not organization.sends_mail:
            delivery.status, delivery.error = (
                Delivery.Status.FAILED,
                "The demo workspace sends no mail.",
            )
            delivery.save(update_fields=["status", "error"])
            return "skipped"
        if reason:
            delivery.status, delivery.reason = Delivery.Status.EXCLUDED, reason
            delivery.save(update_fields=["status", "reason"])
            Campaign.objects.filter(pk=campaign.pk).update(exclusions=_bumped(campaign.pk, reason))
            return "excluded"
        if campaign.channel == Campaign.Channel.SMS and not delivery.short_code:
            delivery.short_code = new_short_code()
        try:
            _send(campaign, customer, delivery)
        except sms.SMSRefused as error:
            return _refused(delivery, customer, error, now)
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = now
        delivery.link_key = link_key(campaign.survey, customer, wave=delivery.wave)
        if campaign.reminders:
            delivery.next_reminder_at = now + dt.timedelta(days=campaign.reminder_days)
        delivery.save(
            update_fields=["status", "sent_at", "link_key", "next_reminder_at", "short_code"]
        )
        mark_surveyed([customer.pk], at=now)
    return "sent"


def _refused(delivery: Delivery, customer: Customer, error: sms.SMSRefused, now) -> str:
    """The provider refused the text message: the recipient who answered STOP is
    unsubscribed, a number that will never take it fails, and a passing fault (the provider
    down, a rate limit) leaves the invitation scheduled for the next minute's try."""
    log.warning("text message refused", extra={"delivery": str(delivery.code), "error": error})
    if error.opted_out:
        do_unsubscribe(customer)
        delivery.status, delivery.reason = Delivery.Status.EXCLUDED, Reason.UNSUBSCRIBED
        delivery.save(update_fields=["status", "reason"])
        Campaign.objects.filter(pk=delivery.campaign_id).update(
            exclusions=_bumped(delivery.campaign_id, Reason.UNSUBSCRIBED)
        )
        return "excluded"
    if not error.permanent:
        return "retry"
    delivery.status, delivery.error = Delivery.Status.FAILED, str(error)[:500]
    delivery.save(update_fields=["status", "error"])
    return "failed"


def _bumped(campaign_pk, reason) -> dict:
    exclusions = dict(
        Campaign.objects.filter(pk=campaign_pk).values_list("exclusions", flat=True).first() or {}
    )
    exclusions[reason] = exclusions.get(reason, 0) + 1
    return exclusions


def send_reminder(code, now=None) -> str:
    """Remind one customer who has not answered; stop reminding those who answered or may no
    longer be contacted."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("campaign__organization", "campaign__survey__organization", "customer")
            .filter(code=code, status=Delivery.Status.SENT, next_reminder_at__lte=now)
            .first()
        )
        if delivery is None:
            return "skipped"
        campaign, customer = delivery.campaign, delivery.customer
        answered = Response.objects.filter(
            survey=campaign.survey, link_key=delivery.link_key, status=Response.Status.COMPLETE
        ).exists()
        problem = _left_out(customer, campaign, now)
        # The gap between surveys counts from this campaign's own invitation.
        reachable = not problem or (
            problem == Reason.RECENT and customer.last_surveyed_at <= (delivery.sent_at or now)
        )
        done = (
            answered
            or not reachable
            or campaign.status == Campaign.Status.CANCELLED
            or delivery.reminders_sent >= campaign.reminders
        )
        if not done:
            try:
                _send(campaign, customer, delivery, reminder=True)
            except sms.SMSRefused as error:
                if not error.permanent:
                    return "retry"
                if error.opted_out:
                    do_unsubscribe(customer)
                delivery.next_reminder_at = None
                delivery.save(update_fields=["next_reminder_at"])
                return "failed"
            delivery.reminders_sent += 1
            delivery.reminded_at = now
        more = not done and delivery.reminders_sent < campaign.reminders
        delivery.next_reminder_at = (
            now + dt.timedelta(days=campaign.reminder_days) if more else None
        )
        delivery.save(update_fields=["reminders_sent", "reminded_at", "next_reminder_at"])
    return "skipped" if done else "reminded"


def tick(now=None) -> dict:
    """Send what is due: each sending campaign's invitations, at most its `per_minute`, and
    the reminders; a campaign with nothing left to send is marked sent."""
    now = now or timezone.now()
    result: Counter = Counter()
    for campaign in Campaign.objects.filter(status=Campaign.Status.SENDING):
        due = (
            campaign.deliveries.filter(status=Delivery.Status.SCHEDULED, send_after__lte=now)
            .order_by("send_after", "pk")
            .values_list("code", flat=True)[: campaign.per_minute]
        )
        for code in due:
            result[_safely(send_delivery, code, now)] += 1
        if campaign.kind == Campaign.Kind.CAMPAIGN and not (
            campaign.deliveries.filter(status=Delivery.Status.SCHEDULED).exists()
        ):
            Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.SENDING).update(
                status=Campaign.Status.SENT
            )
    reminders = Delivery.objects.filter(
        status=Delivery.Status.SENT, next_reminder_at__lte=now
    ).values_list("code", flat=True)[:2000]
    for code in reminders:
        result[_safely(send_reminder, code, now)] += 1
    return dict(result)


def _safely(send, code, now) -> str:
    """Send one; a failure (the mail server refused) is recorded on that delivery alone."""
    try:
        return send(code, now)
    except Exception as error:  # noqa: BLE001 - one bad address must not stop the others
        log.exception("campaign send failed", extra={"delivery": str(code)})
        Delivery.objects.filter(code=code, status=Delivery.Status.SCHEDULED).update(
            status=Delivery.Status.FAILED, error=str(error)[:500]
        )
        return "failed"


def do_send_test(campaign: Campaign, user, language: str, phone: str = "") -> None:
    """Send the invitation in `language` to the member themselves (a text message to
    `phone`, in E.164), with their name piped in; it counts nowhere."""
    stand_in = Customer(
        organization=campaign.organization,
        name=user.name or user.email,
        email=user.email,
        phone=phone,
        language=language,
    )
    if campaign.channel == Campaign.Channel.SMS:
        text = invitation_text(campaign, stand_in, language)
        sms.send_text(phone, f"[{_('Test')}] {text}")
        return
    message = invitation_email(campaign, stand_in, language)
    message.subject = f"[{_('Test')}] {message.subject}"
    message.send()


# Tracking ----------------------------------------------------------------------------------


def do_record_open(code, now=None) -> None:
    Delivery.objects.filter(code=code, opened_at__isnull=True).update(
        opened_at=now or timezone.now()
    )


def do_record_click(code, now=None) -> Delivery | None:
    """The customer followed the invitation's link: counted once, then on to their survey."""
    now = now or timezone.now()
    delivery = (
        Delivery.objects.select_related("campaign__survey__organization", "customer")
        .filter(code=code)
        .first()
    )
    if delivery is None:
        return None
    Delivery.objects.filter(pk=delivery.pk, clicked_at__isnull=True).update(clicked_at=now)
    # A click proves the mail was opened, even where the reader blocked the image.
    Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(opened_at=now)
    return delivery


def campaign_figures(campaign: Campaign) -> dict:
    """Sent, delivered, opened, clicked, started and completed, with the response rate and its
    95 % interval (completed of delivered)."""
    deliveries = campaign.deliveries.all()
    counts = deliveries.aggregate(
        audience=Count("pk"),
        excluded=Count("pk", filter=Q(status=Delivery.Status.EXCLUDED)),
        scheduled=Count("pk", filter=Q(status=Delivery.Status.SCHEDULED)),
        sent=Count("pk", filter=Q(status__in=[Delivery.Status.SENT, Delivery.Status.BOUNCED])),
        bounced=Count("pk", filter=Q(status=Delivery.Status.BOUNCED)),
        failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
        reminded=Count("pk", filter=Q(reminders_sent__gt=0)),
    )
    keys = deliveries.exclude(link_key="").values("link_key")
    responses = Response.objects.filter(survey=campaign.survey_id, link_key__in=keys).aggregate(
        started=Count("pk"),
        completed=Count("pk", filter=Q(status=Response.Status.COMPLETE)),
    )
    counts.update(responses)
    counts["delivered"] = counts["sent"] - counts["bounced"]
    counts["rate"] = (
        proportion(min(counts["completed"], counts["delivered"]), counts["delivered"])
        if counts["delivered"]
        else None
    )
    counts["exclusions"] = {
        Reason(reason).label: n for reason, n in sorted((campaign.exclusions or {}).items())
    }
    return counts
