"""`{% idempotency_field "purpose" %}`: a hidden field with a key the server issued.

A retried or double-clicked form then finds the record its first post made, and nobody can
pick a key that names someone else's record (see contento.core.idempotency). A form that stays
on the page after an htmx post gets a fresh key from the response: give the field an `id` and
render it again with `oob=True` in the partial.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from contento.core.idempotency import issue_form_key

register = template.Library()


@register.simple_tag
def idempotency_field(purpose: str, id: str = "", oob: bool = False):
    attributes = format_html(' id="{}"', id) if id else ""
    if oob:
        attributes += mark_safe(' hx-swap-oob="true"')  # noqa: S308 - a constant
    return format_html(
        '<input type="hidden" name="idempotency_key" value="{}"{}>',
        issue_form_key(purpose),
        attributes,
    )
