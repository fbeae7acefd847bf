"""Phone numbers are kept in E.164, so that a caller is found however the number was typed."""

import pytest
from django.core.exceptions import ValidationError

from contento.customers.actions import do_save_customer
from contento.customers.phones import region_of, to_e164
from contento.customers.search import find_customers


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("028 3822 1234", "VN", "+842838221234"),
        ("+84 28 3822 1234", None, "+842838221234"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("(0)21 5790 0000", "ID", "+622157900000"),
        ("8 (495) 123-45-67", "RU", "+74951234567"),
    ],
)
def test_numbers_are_read_in_their_country(raw, region, expected):
    assert to_e164(raw, region) == expected


def test_an_unreadable_number_says_how_to_write_it():
    with pytest.raises(ValidationError, match="country code"):
        to_e164("12", None)


def test_the_country_comes_from_the_time_zone():
    assert region_of("Asia/Ho_Chi_Minh") == "VN"
    assert region_of("Europe/Madrid") == "ES"
    assert region_of("UTC") is None


def test_a_customer_is_stored_and_found_by_any_spelling_of_their_number(personas):
    personas.org.time_zone = "Asia/Ho_Chi_Minh"
    personas.org.save()
    customer, _created = do_save_customer(
        personas.org, {"name": "Trần Văn An", "phone": "028 3822 1234"}
    )
    assert customer.phone == "+842838221234"
    assert list(find_customers(personas.org, "+84 28 3822 1234")) == [customer]
    assert list(find_customers(personas.org, "(028) 38221234")) == [customer]
    extension, _created = do_save_customer(personas.org, {"name": "Front desk", "phone": "600"})
    assert extension.phone == "600"  # not a number libphonenumber reads: kept as typed
