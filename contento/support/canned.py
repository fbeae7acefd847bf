"""Canned replies: pick the text in the customer's language and fill in its placeholders."""

import re

from contento.support.models import CannedReply

PLACEHOLDERS = ("customer_name", "agent_name", "product", "ticket_reference")


_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def render(reply: CannedReply, ticket, agent=None) -> tuple[str, str]:
    """Return (language, text) of a canned reply for this ticket's customer.

    The customer's language is used when the reply has it, else the organisation's default
    language, else any. Unknown placeholders are left as written.
    """
    texts = {t.language: t.body for t in reply.translations.all()}
    if not texts:
        return ticket.language, ""
    for language in (
        ticket.language,
        ticket.customer.language,
        ticket.organization.default_language,
    ):
        if language in texts:
            break
    else:
        language = sorted(texts)[0]
    values = {
        "customer_name": ticket.customer.name,
        "agent_name": (agent.user.name or agent.user.email) if agent else "",
        "product": ticket.product.name if ticket.product else "",
        "ticket_reference": ticket.reference,
    }
    # Only the known names are replaced (no str.format: a template must not reach attributes).
    return language, _PLACEHOLDER.sub(lambda m: values[m.group(1)], texts[language])
