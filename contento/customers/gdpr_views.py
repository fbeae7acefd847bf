"""Pages for a customer's data requests: download all of it, or erase it.

Both need `customer.erase` (owners and managers): an export holds as much personal data as
the erasure removes.
"""

import json
import logging

from django import forms
from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from contento.accounts import audit
from contento.accounts.access import member_required
from contento.customers.access import access_customer
from contento.customers.gdpr import do_erase_customer, export_customer

log = logging.getLogger(__name__)


class EraseForm(forms.Form):
    confirm_name = forms.CharField(
        label=gettext_lazy("Type the customer's name to confirm"), max_length=200
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer

    def clean_confirm_name(self):
        typed = " ".join(self.cleaned_data["confirm_name"].split())
        if typed.casefold() != " ".join(self.customer.name.split()).casefold():
            raise forms.ValidationError(_("The name does not match."))
        return typed


@require_GET
@member_required("customer.erase")
def customer_export(request, membership, code):
    customer = access_customer(membership, code, "customer.erase")
    data = export_customer(customer)
    audit.record(membership, "customer.exported", customer)
    log.info(
        "customer exported",
        extra={"customer": str(customer.code), "membership": membership.pk},
    )
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.code}.json"'
    return response


@require_http_methods(["GET", "POST"])
@member_required("customer.erase")
def customer_erase(request, membership, code):
    customer = access_customer(membership, code, "customer.erase")
    if customer.erased_at is not None:
        if request.method == "POST":
            return redirect("customers:detail", customer.code)
        return render(request, "customers/erase.html", {"customer": customer, "form": None})
    form = EraseForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            do_erase_customer(customer, actor=membership)
            audit.record(membership, "customer.erased", customer)
        messages.success(request, _("The customer's personal data was erased."))
        return redirect("customers:detail", customer.code)
    return render(request, "customers/erase.html", {"customer": customer, "form": form})
