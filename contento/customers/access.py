"""Permission-checked lookups of customers."""

from contento.accounts.access import access_in_workspace
from contento.customers.models import Customer


def access_customer(membership, code, permission: str = "customer.view") -> Customer:
    """Return the workspace customer with this code (403 without `permission`, else 404)."""
    return access_in_workspace(membership, permission, Customer.objects, code, "customer")
