"""What distribution holds about a customer: the campaign invitations sent to them and what
became of each (opened, followed, reminded, bounced), and the follow-up cases of their
unhappy answers."""

from django.utils.translation import gettext as _

from contento.customers.personal import Entry, Erasure, PersonalData, iso, register
from contento.distribution.models import (
    Audience,
    Campaign,
    Delivery,
    FollowUpCase,
    FollowUpRule,
    Notice,
)


@register
class DistributionRecords(PersonalData):
    models = (Delivery, FollowUpCase, Notice)
    no_personal_data = {
        Audience: "conditions on customers, naming no one",
        Campaign: "the business's own message and schedule",
        FollowUpRule: "conditions on responses, naming no one",
    }

    def export(self, customer):
        rows = customer.deliveries.select_related("campaign").order_by("pk")
        return {
            "campaign_invitations": [
                {
                    "campaign": d.campaign.name,
                    "status": d.status,
                    "reason": d.reason,
                    "language": d.language,
                    "sent_at": iso(d.sent_at),
                    "reminders_sent": d.reminders_sent,
                    "opened_at": iso(d.opened_at),
                    "clicked_at": iso(d.clicked_at),
                    "bounced_at": iso(d.bounced_at),
                }
                for d in rows
            ],
            "follow_up_cases": [
                {
                    "created_at": iso(c.created_at),
                    "reason": c.reason,
                    "contacted": c.contacted,
                    "contacted_at": iso(c.contacted_at),
                    "resolved": c.resolved,
                    "root_cause": c.root_cause.name if c.root_cause else "",
                    "compensation": c.compensation,
                    "customer_words": c.customer_words,
                    "closed_at": iso(c.closed_at),
                }
                for c in FollowUpCase.objects.filter(customer=customer)
                .select_related("root_cause")
                .order_by("pk")
            ],
        }

    def erase(self, erasure: Erasure):
        """Call off the invitations not sent yet, and blank what the customer said in their
        follow-up cases; the rest holds no personal data."""
        erasure.customer.deliveries.filter(status=Delivery.Status.SCHEDULED).update(
            status=Delivery.Status.EXCLUDED, reason=Delivery.Reason.ERASED
        )
        FollowUpCase.objects.filter(customer=erasure.customer).update(
            customer_words="", compensation=""
        )
        # A notice's title names the customer.
        Notice.objects.filter(response__customer=erasure.customer).update(title="—")

    def timeline(self, customer, limit):
        rows = (
            customer.deliveries.exclude(sent_at=None)
            .select_related("campaign")
            .order_by("-sent_at", "-pk")[:limit]
        )
        entries = []
        for d in rows:
            name = {"campaign": d.campaign.name}
            entries.append(
                Entry(
                    at=d.sent_at,
                    kind="campaign_invited",
                    category="survey",
                    icon="📱" if d.campaign.channel == Campaign.Channel.SMS else "✉",
                    title=_("Invited by the campaign %(campaign)s") % name,
                )
            )
            for at, kind, icon, title in (
                (
                    d.reminded_at,
                    "campaign_reminded",
                    "✉",
                    _("Reminded by the campaign %(campaign)s"),
                ),
                (d.opened_at, "campaign_opened", "👁", _("Opened the invitation of %(campaign)s")),
                (d.clicked_at, "campaign_clicked", "↗", _("Followed the link of %(campaign)s")),
                (
                    d.bounced_at,
                    "campaign_bounced",
                    "⚠",
                    _("The invitation of %(campaign)s bounced"),
                ),
            ):
                if at:
                    entries.append(
                        Entry(at=at, kind=kind, category="survey", icon=icon, title=title % name)
                    )
        return entries
