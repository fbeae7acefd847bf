from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from contento.support.models import Ticket, TicketMessage

REPLY_STATUSES = [
    ("", _("Waiting on the customer (default)")),
    (Ticket.Status.OPEN, _("Keep open")),
    (Ticket.Status.ON_HOLD, _("On hold")),
    (Ticket.Status.SOLVED, _("Solved")),
]


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 6}))
    status = forms.ChoiceField(label=_("Then"), choices=REPLY_STATUSES, required=False)


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 3}))


class CallForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (Ticket.Channel.PHONE, _("Phone call")),
            (Ticket.Channel.IN_PERSON, _("In person")),
        ],
    )
    body = forms.CharField(label=_("What was said"), widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=TicketMessage.Outcome.choices, required=False
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=0, max_value=1440, required=False
    )


class NewConversationForm(forms.Form):
    """An agent logs a call or a visit that starts a new ticket."""

    customer = forms.UUIDField(widget=forms.HiddenInput)
    channel = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (Ticket.Channel.PHONE, _("Phone call")),
            (Ticket.Channel.IN_PERSON, _("In person")),
        ],
    )
    subject = forms.CharField(label=_("Subject"), max_length=250)
    body = forms.CharField(
        label=_("What the customer said"), widget=forms.Textarea(attrs={"rows": 4})
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=TicketMessage.Outcome.choices, required=False
    )
    rating = forms.TypedChoiceField(
        label=_("How satisfied did the customer say they are? (1–5)"),
        choices=[("", "—")] + [(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your email"), max_length=254)
    subject = forms.CharField(label=_("Subject"), max_length=250)
    body = forms.CharField(label=_("How can we help?"), widget=forms.Textarea(attrs={"rows": 6}))
    language = forms.ChoiceField(choices=settings.LANGUAGES, widget=forms.HiddenInput)
    # A field people cannot see: bots fill it in, and their requests are dropped.
    website = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )


class CustomerReplyForm(forms.Form):
    body = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 4}))


class ChatStartForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your email"), max_length=254)
    body = forms.CharField(label=_("Your question"), widget=forms.Textarea(attrs={"rows": 3}))
    language = forms.ChoiceField(choices=settings.LANGUAGES, widget=forms.HiddenInput)
    website = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )


class ChatMessageForm(forms.Form):
    body = forms.CharField(max_length=5000)
