"""Two-factor sign-in: an authenticator app (TOTP, RFC 6238) and single-use recovery codes,
kept as django-otp devices.

A user with a confirmed authenticator is signed in only after the second step: the password
alone puts nothing in the session but a short-lived pending sign-in (see the sign-in views).
A workspace may require the second factor of every member; a member without one is then sent
to set it up before anything else.
"""

import base64
import secrets

import segno
from django.db import transaction
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from contento.accounts.models import Membership, User

RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper


def has_two_factor(user: User) -> bool:
    """Whether `user` signs in with an authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_required(user: User) -> bool:
    """Whether a workspace of `user` requires a second factor of its members."""
    return Membership.objects.filter(user=user, organization__require_two_factor=True).exists()


@transaction.atomic
def start_enrolment(user: User) -> TOTPDevice:
    """Return a new, unconfirmed authenticator for `user` (replacing an unfinished one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def pending_enrolment(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def qr_code_svg(device: TOTPDevice) -> str:
    """The `otpauth://` address of the authenticator as an inline SVG QR code."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def secret_text(device: TOTPDevice) -> str:
    """The authenticator's secret in base32, in groups of four, to type in by hand."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _clean(token: str) -> str:
    return "".join((token or "").split()).replace("-", "").lower()


@transaction.atomic
def confirm_enrolment(device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the authenticator with a code it shows; return fresh recovery codes, or None
    when the code is wrong. Confirming replaces any earlier authenticator."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed or not device.verify_token(_clean(token)):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user: User) -> list[str]:
    """Replace `user`'s recovery codes with RECOVERY_CODES new ones (each works once)."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="Recovery codes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify(user: User, token: str):
    """Return the device that accepts `token` for `user` (a recovery code is used up), or None.

    django-otp throttles each device after failures and refuses a TOTP code used before.
    """
    token = _clean(token)
    if not token:
        return None
    return match_token(user, token)


@transaction.atomic
def turn_off(user: User) -> None:
    """Remove `user`'s authenticator and recovery codes."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
