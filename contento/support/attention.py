"""Mail that became no ticket and that an agent should see: nothing is dropped silently.

A message with no usable sender, a suspected loop, an out-of-office reply or a bounce that
answers no ticket: each is kept with its decoded text and listed for the desk, where an agent
opens a ticket from it (giving the address when none could be read) or sets it aside.
"""

from django.db.models import Q

from contento.support.models import InboundEmail

_UNANSWERED = [InboundEmail.Outcome.AUTO_REPLY, InboundEmail.Outcome.BOUNCE]


def needing_attention(organization):
    """Return the workspace's inbound mail an agent has to look at, newest first."""
    return InboundEmail.objects.filter(organization=organization, handled_at__isnull=True).filter(
        Q(outcome__in=[InboundEmail.Outcome.REJECTED, InboundEmail.Outcome.LOOP])
        | Q(outcome__in=_UNANSWERED, ticket__isnull=True)
    )
