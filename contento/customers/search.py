"""Finding a customer by what a person at a counter or on the phone knows of them."""

from django.db.models import Q

from contento.customers.models import Customer
from contento.customers.phones import maybe_e164, region_of

MIN_QUERY = 2


def find_customers(organization, query: str, limit: int = 20):
    """The workspace's customers whose name, email, phone or external id matches `query`."""
    query = (query or "").strip()
    if len(query) < MIN_QUERY:
        return Customer.objects.none()
    region = region_of(getattr(organization, "time_zone", None))
    number = maybe_e164(query, region) if any(c.isdigit() for c in query) else None
    match = (
        Q(name__icontains=query)
        | Q(email__icontains=query)
        | Q(phone__icontains=query)
        | Q(external_id=query)
        | Q(contacts__value__icontains=query)
    )
    if number:
        match |= Q(phone=number) | Q(contacts__value=number)
    return (
        Customer.objects.filter(organization=organization, erased_at__isnull=True)
        .filter(match)
        .distinct()
        .order_by("name", "pk")[:limit]
    )
