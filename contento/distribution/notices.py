"""Notices: what a rule that only notifies tells a member, in their inbox and by email, at once
or in one daily digest."""

from collections import defaultdict

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contento.distribution.models import Notice


def _link(notice) -> str:
    return notice.membership.organization.public_link(reverse("campaigns:inbox"))


def send_notice(code) -> str:
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update(of=("self",))
            .select_related("membership__user", "membership__organization")
            .filter(code=code, emailed_at__isnull=True, read_at__isnull=True)
            .first()
        )
        if notice is None:
            return "skipped"
        user = notice.membership.user
        with translation.override(user.language or "en"):
            send_mail(
                notice.title,
                render_to_string(
                    "distribution/email/notices.txt", {"notices": [notice], "url": _link(notice)}
                ),
                None,
                [user.email],
            )
        notice.emailed_at = timezone.now()
        notice.save(update_fields=["emailed_at"])
    return "sent"


def send_digests(now=None) -> int:
    """One email per member with their digest notices not yet emailed nor read."""
    now = now or timezone.now()
    waiting = (
        Notice.objects.filter(digest=True, emailed_at__isnull=True, read_at__isnull=True)
        .select_related("membership__user", "membership__organization")
        .order_by("membership_id", "created_at")
    )
    by_member = defaultdict(list)
    for notice in waiting:
        by_member[notice.membership_id].append(notice)
    sent = 0
    for notices in by_member.values():
        user = notices[0].membership.user
        with translation.override(user.language or "en"):
            subject = _("%(count)s answers to know about") % {"count": len(notices)}
            send_mail(
                subject,
                render_to_string(
                    "distribution/email/notices.txt",
                    {"notices": notices, "url": _link(notices[0])},
                ),
                None,
                [user.email],
            )
        Notice.objects.filter(pk__in=[n.pk for n in notices]).update(emailed_at=now)
        sent += 1
    return sent
