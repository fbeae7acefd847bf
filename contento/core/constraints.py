"""Model constraints shared by several apps."""

from django.db import models


def unique_when_set(*fields: str, name: str) -> models.UniqueConstraint:
    """Return a constraint: `fields` are unique together among rows whose last one is set.

    For optional keys from elsewhere (an external id, a SKU, a Message-ID): blank is allowed
    on any number of rows, a value only once per workspace.
    """
    return models.UniqueConstraint(
        fields=list(fields), condition=~models.Q(**{fields[-1]: ""}), name=name
    )
