from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from contento.accounts import audit
from contento.accounts.access import member_required
from contento.accounts.models import Membership
from contento.accounts.roles import roles_with
from contento.customers.access import access_customer
from contento.customers.actions import do_create_customer, do_save_customer
from contento.customers.models import Company, Customer
from contento.customers.personal import parts
from contento.customers.timeline import customer_timeline, do_add_customer_note


class CustomerForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False, max_length=254)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)
    external_id = forms.CharField(label=gettext_lazy("External id"), max_length=100, required=False)


class CustomerEditForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False, max_length=254)
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("With its country code, like +84 28 1234 5678."),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)
    timezone = forms.CharField(
        label=gettext_lazy("Time zone"),
        required=False,
        max_length=64,
        help_text=gettext_lazy("Like Asia/Ho_Chi_Minh; empty: the workspace's."),
    )
    contact_consent = forms.BooleanField(
        label=gettext_lazy("May be contacted for surveys"), required=False
    )
    company = forms.ChoiceField(label=gettext_lazy("Company"), required=False)
    account_owner = forms.ChoiceField(
        label=gettext_lazy("Account owner"),
        required=False,
        help_text=gettext_lazy("The member who looks after this customer."),
    )
    external_id = forms.CharField(label=gettext_lazy("External id"), max_length=100, required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.companies = {str(c.code): c for c in Company.objects.filter(organization=organization)}
        self.owners = {
            str(m.pk): m
            for m in Membership.objects.filter(
                organization=organization,
                role__in=roles_with("ticket.work"),
                user__is_active=True,
            ).select_related("user")
        }
        self.fields["company"].choices = [("", "—")] + [
            (code, c.name) for code, c in self.companies.items()
        ]
        self.fields["account_owner"].choices = [("", "—")] + [
            (pk, m.user.name or m.user.email) for pk, m in self.owners.items()
        ]

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data["company"] = self.companies.get(data["company"])
        data["account_owner"] = self.owners.get(data["account_owner"])
        return data


@member_required("customer.edit")
def customer_edit(request, membership, code):
    customer = access_customer(membership, code, "customer.edit")
    if customer.erased_at is not None:
        messages.error(request, _("This customer's personal data was erased."))
        return redirect("customers:detail", customer.code)
    initial = {
        name: getattr(customer, name)
        for name in ("name", "email", "phone", "language", "timezone", "contact_consent")
    }
    initial |= {
        "external_id": customer.external_id,
        "company": str(customer.company.code) if customer.company else "",
        "account_owner": str(customer.account_owner_id or ""),
    }
    form = CustomerEditForm(
        request.POST or None, initial=initial, organization=membership.organization
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                customer, _created = do_save_customer(
                    membership.organization, form.changes(), customer
                )
                audit.record(membership, "customer.changed", customer)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("Customer saved."))
            return redirect("customers:detail", customer.code)
    return render(request, "customers/edit.html", {"form": form, "customer": customer})


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
            "can_edit": membership.can("customer.edit") and customer.erased_at is None,
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
