"""Permission-checked lookups of customers."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from contento.customers.models import Customer


def access_customer(membership, code, permission: str = "customer.view") -> Customer:
    """Return the workspace customer with this code (403 without `permission`, else 404)."""
    if membership is None or not membership.can(permission):
        raise PermissionDenied
    customer = Customer.objects.filter(organization=membership.organization, code=code).first()
    if customer is None:
        raise Http404("No such customer.")
    return customer
