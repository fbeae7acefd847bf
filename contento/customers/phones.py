"""Phone numbers in one form, E.164 (+84281234567), read by Google's libphonenumber.

A number is stored as E.164 so that the same customer is found however the number was
typed ("028 1234 5678" in Ho Chi Minh City, "+84 28 1234 5678" abroad) and a call can be
matched to its caller. A number written without its country code is read as a number of the
country of the customer's (else the workspace's) time zone.
"""

from functools import lru_cache
from importlib import resources

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    """IANA time zone → ISO country code, from the zone table the tzdata package ships."""
    table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text()
    countries = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            code, _coordinates, zone, *_rest = line.split("\t")
            countries[zone] = code
    return countries


def region_of(time_zone: str | None) -> str | None:
    """The country of a time zone ("Asia/Ho_Chi_Minh" → "VN"), or None."""
    return _zone_countries().get(time_zone or "")


def to_e164(raw: str, region: str | None = None) -> str:
    """Return the number in E.164, or raise ValidationError saying how to write it."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _(
                "%(number)s is not a phone number we can read: write it with its country"
                " code, like +84 28 1234 5678."
            )
            % {"number": raw}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def maybe_e164(raw: str, region: str | None = None) -> str | None:
    """The number in E.164 if `raw` reads as one, else None (for searches)."""
    try:
        return to_e164(raw, region)
    except ValidationError:
        return None
