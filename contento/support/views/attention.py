"""The desk's list of mail that became no ticket, for an agent to read and act on."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from contento.accounts.access import member_required
from contento.support.access import access_inbound_mail
from contento.support.actions.mail import do_open_ticket_from_mail, do_set_mail_aside
from contento.support.attention import needing_attention


class OpenTicketForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Customer's email address"), max_length=254)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False)


@member_required("ticket.view")
def attention_list(request, membership):
    page = Paginator(
        needing_attention(membership.organization).select_related("team"), 50
    ).get_page(request.GET.get("page"))
    return render(request, "support/attention_list.html", {"page": page})


@member_required("ticket.view")
def attention_mail(request, membership, code):
    mail = access_inbound_mail(membership, code)
    form = OpenTicketForm(initial={"email": mail.sender})
    return render(request, "support/attention_mail.html", {"mail": mail, "form": form})


@require_POST
@member_required("ticket.work")
def attention_open_ticket(request, membership, code):
    mail = access_inbound_mail(membership, code)
    form = OpenTicketForm(request.POST)
    if form.is_valid():
        try:
            ticket = do_open_ticket_from_mail(
                mail, membership, email=form.cleaned_data["email"], name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("A ticket was opened from the mail."))
            return redirect(ticket)
    return render(request, "support/attention_mail.html", {"mail": mail, "form": form}, status=400)


@require_POST
@member_required("ticket.work")
def attention_set_aside(request, membership, code):
    do_set_mail_aside(access_inbound_mail(membership, code), membership)
    messages.success(request, _("The mail was set aside."))
    return redirect("support:attention")
