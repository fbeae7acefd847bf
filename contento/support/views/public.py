"""What customers see without signing in: the contact form, their ticket, the chat, the rating.

Each page is reached through the organisation's public code or a signed link, is rate
limited per IP address, and shows only the public side of a conversation (never notes).
"""

import logging
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django_ratelimit.decorators import ratelimit

from contento.accounts.models import Organization
from contento.accounts.registers import speaking
from contento.core.embedding import allow_framing_by, embeddable, is_embedded
from contento.core.idempotency import IdempotencyKey
from contento.core.ratelimits import poll_rate, public_rate
from contento.customers.visitors import BadVisitorToken, read_visitor_token, visitor_customer
from contento.support import ratings
from contento.support.access import (
    LinkExpired,
    customer_ticket_token,
    ticket_from_customer_token,
)
from contento.support.actions.ratings import do_rate_ticket
from contento.support.channels import channel, web
from contento.support.channels.email import outbound
from contento.support.forms import ChatStartForm, ContactForm, CustomerReplyForm
from contento.support.models import Team, Ticket, TicketMessage

_LANGUAGES = {code for code, _name in settings.LANGUAGES}
logger = logging.getLogger(__name__)


def expiring_link(view):
    """Show a genuine but expired or revoked customer link as such, with a way to go on."""

    @wraps(view)
    def wrapped(request, token, *args, **kwargs):
        try:
            return view(request, token, *args, **kwargs)
        except LinkExpired as expired:
            ticket = expired.ticket
            language = _language(request, ticket.language)
            with translation.override(speaking(ticket.organization, language)):
                return render(
                    request,
                    "support/public/link_expired.html",
                    {"organization": ticket.organization, "language": language},
                    status=410,
                )

    return wrapped


def _language(request, default="en") -> str:
    """The language of the page, which is also the one its Content-Language names."""
    requested = request.GET.get("lang") or request.POST.get("language")
    if requested in _LANGUAGES:
        language = requested
    else:
        accepted = translation.get_language_from_request(request)
        language = accepted if accepted in _LANGUAGES else default
    request.LANGUAGE_CODE = language
    return language


def says_its_language(view):
    """Send the language the page is written in as Content-Language (the locale middleware
    would name the language active after the view, the browser's)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response

    return wrapped


def _organization(code) -> Organization:
    return get_object_or_404(Organization, code=code)


def _team(organization, request):
    code = request.GET.get("team") or request.POST.get("team")
    if not code:
        return None
    try:
        return Team.objects.filter(organization=organization, code=code).first()
    except ValidationError:
        return None


class _Identity:
    """Who writes from the widget when the business's site names them with a signed token
    (contento.customers.visitors): the form then asks for no name or address. A token that
    fails leaves the visitor anonymous, told why, and loses nothing they typed."""

    def __init__(self, request, organization):
        self.token = request.POST.get("visitor") or request.GET.get("visitor") or ""
        self.visitor = self.customer = None
        self.problem = ""
        if not self.token or not is_embedded(request):
            self.token = ""
            return
        try:
            self.visitor = read_visitor_token(organization, self.token)
            writing = request.method == "POST"
            self.customer = visitor_customer(organization, self.visitor, create=writing)
            if self.customer is None and not self.visitor.email:
                raise BadVisitorToken("The visitor token needs an email the first time.")
        except BadVisitorToken as error:
            logger.info("widget: visitor not identified: %s", error)
            self.token, self.visitor, self.customer = "", None, None
            self.problem = _(
                "We could not confirm who you are, so please give your name and email address."
            )

    def shape(self, form):
        """Drop the name and address from the form of a visitor the site named."""
        if self.visitor is not None:
            del form.fields["name"], form.fields["email"]
        return form

    @property
    def name(self) -> str:
        if self.customer is not None:
            return self.customer.name
        return self.visitor.name if self.visitor else ""

    @property
    def email(self) -> str:
        if self.customer is not None:
            return self.customer.email
        return self.visitor.email if self.visitor else ""


def _open_ticket(request, organization, form, channel_name, purpose, identity):
    data = form.cleaned_data
    return channel(channel_name).receive(
        organization,
        customer=identity.customer,
        email=data.get("email") or identity.email,
        name=data.get("name") or identity.name,
        language=data["language"],
        subject=data.get("subject") or "",
        body=data["body"],
        team=_team(organization, request),
        idempotency_key=IdempotencyKey.from_form(request.POST.get("idempotency_key"), purpose),
    )


def _contact(request, org):
    """The public contact form: a request becomes a ticket and its link is shown."""
    organization = _organization(org)
    allow_framing_by(request, organization)
    language = _language(request, organization.default_language)
    with translation.override(speaking(organization, language)):
        identity = _Identity(request, organization)
        form = identity.shape(ContactForm(request.POST or None, initial={"language": language}))
        if request.method == "POST" and form.is_valid():
            if form.cleaned_data["website"]:
                return render(request, "support/public/sent.html", {"language": language})
            try:
                ticket = _open_ticket(
                    request, organization, form, Ticket.Channel.WEB, "support-contact", identity
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                outbound.queue_acknowledgement(ticket)
                return redirect(_ticket_route(request), customer_ticket_token(ticket))
        return render(
            request,
            "support/public/contact.html",
            {
                "form": form,
                "organization": organization,
                "language": language,
                "identity": identity,
            },
        )


def _ticket_route(request) -> str:
    """Where a customer's ticket is shown: inside the widget when asked from it."""
    return "support_public:widget_ticket" if is_embedded(request) else "support_public:ticket"


def _customer_ticket(request, token):
    """The customer's own view of their ticket, where they can also answer."""
    ticket = ticket_from_customer_token(token)
    allow_framing_by(request, ticket.organization)
    language = _language(request, ticket.language)
    with translation.override(speaking(ticket.organization, language)):
        form = CustomerReplyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            web.add_reply(
                ticket,
                form.cleaned_data["body"],
                IdempotencyKey.from_form(
                    request.POST.get("idempotency_key"), "support-customer-reply"
                ),
            )
            if request.headers.get("HX-Request"):
                return _conversation(request, ticket, token, language, renew_key=True)
            return redirect(_ticket_route(request), token)
        return render(
            request,
            "support/public/ticket.html",
            {
                "ticket": ticket,
                "token": token,
                "form": form,
                "conversation": _public_messages(ticket),
                "language": language,
            },
        )


def _public_messages(ticket):
    return (
        ticket.messages.filter(kind__in=[TicketMessage.Kind.MESSAGE, TicketMessage.Kind.CALL])
        .select_related("author__user")
        .prefetch_related("attachments")
    )


def _conversation(request, ticket, token, language, renew_key=False):
    conversation = list(_public_messages(ticket))
    return render(
        request,
        "support/public/_conversation.html",
        {
            "ticket": ticket,
            "token": token,
            "conversation": conversation,
            "last": max((m.pk for m in conversation), default=0),
            "language": language,
            "renew_key": renew_key,
        },
    )


def _after(request) -> int | None:
    try:
        return int(request.GET["after"])
    except (KeyError, ValueError):
        return None


@ratelimit(key="ip", rate=poll_rate, block=True)
@expiring_link
@says_its_language
def customer_conversation(request, token):
    """The conversation alone, polled by the chat page several times a second (any web
    process answers it from the database, so it works behind a load balancer). With
    ?after=<the last message it shows> it answers 204, one indexed query, until a newer
    message arrives or the ticket closes."""
    ticket = ticket_from_customer_token(token)
    after = _after(request)
    news = after is None or _public_messages(ticket).filter(pk__gt=after).exists()
    if ticket.is_open and not news:
        return HttpResponse(status=204)
    language = _language(request, ticket.language)
    with translation.override(speaking(ticket.organization, language)):
        return _conversation(request, ticket, token, language)


def _chat(request, org):
    """Start a live chat: the first message opens a chat ticket that an agent answers."""
    organization = _organization(org)
    allow_framing_by(request, organization)
    language = _language(request, organization.default_language)
    with translation.override(speaking(organization, language)):
        identity = _Identity(request, organization)
        form = identity.shape(ChatStartForm(request.POST or None, initial={"language": language}))
        if request.method == "POST" and form.is_valid():
            if form.cleaned_data["website"]:
                raise Http404
            try:
                ticket = _open_ticket(
                    request, organization, form, Ticket.Channel.CHAT, "support-chat", identity
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(_ticket_route(request), customer_ticket_token(ticket))
        return render(
            request,
            "support/public/chat.html",
            {
                "form": form,
                "organization": organization,
                "language": language,
                "identity": identity,
            },
        )


_limited = ratelimit(key="ip", rate=public_rate, method="POST", block=True)

# The help centre's pages; the same for the web widget, framed by the business's own site
# and without cookies (contento.core.embedding).
contact = csrf_protect(_limited(says_its_language(_contact)))
chat = csrf_protect(_limited(says_its_language(_chat)))
customer_ticket = csrf_protect(_limited(expiring_link(says_its_language(_customer_ticket))))
widget_contact = embeddable(_limited(says_its_language(_contact)))
widget_chat = embeddable(_limited(says_its_language(_chat)))
widget_ticket = embeddable(_limited(expiring_link(says_its_language(_customer_ticket))))


@csrf_protect
@ratelimit(key="ip", rate=public_rate, method="POST", block=True)
@expiring_link
@says_its_language
def rate(request, token):
    """Answer "How were you treated?": one click from the email, then an optional comment.

    Following the emailed link shows the score already chosen and a script posts it, so a
    mail scanner that only fetches links records nothing.
    """
    rating = ratings.rating_from_token(token)
    if rating is None:
        raise Http404("This link is not valid.")
    language = request.LANGUAGE_CODE = rating.language
    with translation.override(speaking(rating.ticket.organization, language)):
        if request.method == "POST":
            score = _score(request.POST.get("score"))
            comment = request.POST.get("comment")
            if score is None and rating.score is None:
                return HttpResponseBadRequest("Choose a score from 1 to 5.")
            try:
                rating = do_rate_ticket(rating, score, comment)
            except ValidationError as error:
                return HttpResponseBadRequest(" ".join(error.messages))
        local = ratings.local_survey(rating)
        questions = local.by_key()
        return render(
            request,
            "support/public/rate.html",
            {
                "rating": rating,
                "ticket": rating.ticket,
                "token": token,
                "title": local.title,
                "question": questions[ratings.RATING_QUESTION].text,
                "comment_question": questions[ratings.COMMENT_QUESTION].text,
                "chosen": _score(request.GET.get("score")) if request.method == "GET" else None,
                "language": language,
                "thank_you": local.thank_you,
                "done": request.method == "POST" and request.POST.get("comment") is not None,
            },
        )


def _score(value):
    try:
        score = int(value)
    except (TypeError, ValueError):
        return None
    return score if 1 <= score <= 5 else None
