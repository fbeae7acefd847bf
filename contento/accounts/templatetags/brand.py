"""The workspace's brand on the pages customers see: `{% load brand %}`.

``{% brand_stylesheet organization %}`` links the stylesheet that sets the workspace's brand
colour (a file, not inline style, so the Content-Security-Policy stays strict), and
``{% brand_header organization %}`` shows the business's name at the top of the page. Both
take the first of their arguments that is a workspace, so a shared base template can name
where each page keeps it.
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from contento.accounts.models import DEFAULT_BRAND, Organization

register = template.Library()


def _first(candidates) -> Organization | None:
    return next((c for c in candidates if isinstance(c, Organization)), None)


@register.simple_tag
def brand_stylesheet(*candidates) -> str:
    organization = _first(candidates)
    if organization is None or organization.brand_colour == DEFAULT_BRAND:
        return ""
    url = reverse("brand_css", args=[organization.code])
    # The colour in the address: a changed colour is a new file, however long caches keep it.
    return format_html(
        '<link rel="stylesheet" href="{}?v={}">', url, organization.brand_colour.lstrip("#")
    )


@register.simple_tag
def brand_header(*candidates) -> str:
    organization = _first(candidates)
    if organization is None:
        return ""
    if not organization.logo:
        return format_html('<header class="business"><p>{}</p></header>', organization.name)
    # The file's name changes with each upload: a new logo is a new address for caches.
    logo = reverse("brand_logo", args=[organization.code])
    version = organization.logo.name.rpartition("-")[2].partition(".")[0]
    return format_html(
        '<header class="business"><p><img src="{}?v={}" alt="" class="logo"> {}</p></header>',
        logo,
        version,
        organization.name,
    )


@register.simple_tag
def email_logo(*candidates) -> str:
    """The workspace's logo at the top of an HTML email, by its full address (a mail reader
    loads it from the public address), or nothing without a logo."""
    organization = _first(candidates)
    if organization is None or not organization.logo:
        return ""
    version = organization.logo.name.rpartition("-")[2].partition(".")[0]
    url = organization.public_link(reverse("brand_logo", args=[organization.code]))
    return format_html(
        '<p><img src="{}?v={}" alt="{}" height="48" style="height:48px;width:auto"></p>',
        url,
        version,
        organization.name,
    )
