"""Email to customers in the business's own colours: one branded base template for every
message (invitations, reminders, thanks), with a plain-text part beside the HTML.

The HTML is table-based and responsive, as mail readers need, and its CSS is inlined by
css-inline (mail readers drop <style> blocks), keeping only the @media rules in the head for
the readers that honour them.
"""

import css_inline
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def branded_html(organization, template: str, context: dict) -> str:
    """Render an email's HTML (a template extending email/base.html), its CSS inlined."""
    return _INLINER.inline(render_to_string(template, {**context, "organization": organization}))


def branded_message(
    organization,
    *,
    subject: str,
    text: str,
    html_template: str,
    context: dict,
    to: list[str],
    headers: dict | None = None,
) -> EmailMultiAlternatives:
    """A message from the workspace (its sender name and reply-to) with both parts."""
    message = EmailMultiAlternatives(
        " ".join(subject.split()),
        text,
        from_email=organization.email_sender,
        to=to,
        reply_to=[organization.reply_to] if organization.reply_to else None,
        headers=headers or {},
    )
    message.attach_alternative(
        branded_html(organization, html_template, {**context, "subject": subject}), "text/html"
    )
    return message
