"""How customers reach the business: the help centre, the chat and the desk's addresses, with
QR codes to print for a counter."""

import segno
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from contento.accounts.access import member_required
from contento.accounts.models import Organization
from contento.support.models import Team


def _links(organization) -> dict[str, tuple[str, str]]:
    """The public pages of the desk: key → (name, full address)."""
    code = organization.code
    return {
        "help": (_("Help centre"), reverse("support_public:contact", args=[code])),
        "chat": (_("Chat"), reverse("support_public:chat", args=[code])),
    }


def _full(organization, path: str) -> str:
    return organization.public_link(path)


@member_required("ticket.view")
def reach(request, membership):
    org = membership.organization
    links = [
        {
            "key": key,
            "name": name,
            "url": _full(org, path),
            "qr": segno.make(_full(org, path), error="m").svg_inline(scale=4, border=2),
        }
        for key, (name, path) in _links(org).items()
    ]
    addresses = list(
        Team.objects.filter(organization=org)
        .exclude(email_address="")
        .order_by("name")
        .values_list("name", "email_address")
    )
    first = Organization.objects.order_by("pk").values_list("pk", flat=True).first()
    default_address = settings.SUPPORT_EMAIL if first == org.pk else ""
    script = org.public_link(f"{settings.STATIC_URL.rstrip('/')}/contento/widget.js")
    snippet = f'<script src="{script}" data-workspace="{org.code}" defer></script>'
    return render(
        request,
        "support/reach.html",
        {
            "links": links,
            "addresses": addresses,
            "default_address": default_address,
            "snippet": snippet,
            "origin": org.public_link(""),
        },
    )


@member_required("ticket.view")
def reach_qr(request, membership, key, kind):
    """The QR code of a public page of the desk, as an SVG or PNG file to print."""
    org = membership.organization
    links = _links(org)
    if key not in links or kind not in {"svg", "png"}:
        raise Http404("No such code.")
    qr = segno.make(_full(org, links[key][1]), error="m")
    response = HttpResponse(content_type="image/svg+xml" if kind == "svg" else "image/png")
    qr.save(response, kind=kind, scale=10, border=4)
    response["Content-Disposition"] = f'attachment; filename="{key}-qr.{kind}"'
    return response
