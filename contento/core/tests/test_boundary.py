"""Whatever path saves a model, its texts fit their columns on every database."""

import pytest
from django.core.exceptions import ValidationError

from contento.customers.models import Customer


def test_an_over_long_text_is_a_validation_error_on_every_database(personas):
    with pytest.raises(ValidationError) as refused:
        Customer.objects.create(organization=personas.org, name="x" * 201)
    assert "name" in refused.value.message_dict
    assert Customer.objects.count() == 0


def test_nul_characters_never_reach_the_database(personas):
    customer = Customer.objects.create(
        organization=personas.org,
        name="Ana\x00",
        attributes={"plan\x00": "Pro\x00", "tags": ["a\x00"]},
    )
    customer.refresh_from_db()
    assert customer.name == "Ana"
    assert customer.attributes == {"plan": "Pro", "tags": ["a"]}
