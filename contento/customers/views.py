from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from contento.accounts.access import member_required
from contento.customers.access import access_customer
from contento.customers.actions import do_create_customer
from contento.customers.models import Customer
from contento.customers.personal import parts
from contento.customers.timeline import customer_timeline, do_add_customer_note


class CustomerForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False, max_length=254)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)
    external_id = forms.CharField(label=gettext_lazy("External id"), max_length=100, required=False)


@member_required("customer.view")
def customer_list(request, membership):
    customers = Customer.objects.filter(organization=membership.organization)
    query = request.GET.get("q", "").strip()
    if query:
        customers = customers.filter(
            Q(name__icontains=query) | Q(email__icontains=query) | Q(external_id=query)
        )
    page = Paginator(customers, 50).get_page(request.GET.get("page"))
    return render(request, "customers/list.html", {"page": page, "query": query})


@member_required("customer.edit")
def customer_new(request, membership):
    form = CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer = do_create_customer(membership.organization, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Customer saved."))
            return redirect("customers:detail", customer.code)
    return render(request, "customers/new.html", {"form": form})


@member_required("customer.view")
def customer_detail(request, membership, code):
    customer = access_customer(membership, code)
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "attributes": sorted((customer.attributes or {}).items()),
            "panels": [panel for part in parts() for panel in part.panels(customer, membership)],
            "timeline": customer_timeline(customer),
            "can_note": membership.can("customer.edit") and customer.erased_at is None,
            "can_erase": membership.can("customer.erase"),
        },
    )


@require_POST
@member_required("customer.edit")
def customer_note(request, membership, code):
    customer = access_customer(membership, code, "customer.edit")
    try:
        do_add_customer_note(customer, membership, request.POST.get("body", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("customers:detail", customer.code)
