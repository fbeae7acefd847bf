"""Idempotency keys bound to who asks, so that a replay never hands a record to someone else.

A client's key alone proves nothing: integrations choose keys such as order ids, and derived
keys (`rating-follow-up:<code>`) are guessable. Every key that an action stores is therefore an
`IdempotencyKey`, built in one of three ways:

- `for_member`: the API's `Idempotency-Key` header, scoped to the token's member (two members
  who send the same key get two records, as with Stripe's per-account keys);
- `from_form`: a key the server issued into a form it rendered (`issue_form_key`), signed so a
  visitor can neither choose nor guess one; a form that carries anything else has no key;
- `for_system`: a key the product derives itself (a follow-up per rating), never reachable
  from a request.

Actions refuse a plain string (`require`), so a view cannot pass a client's text through by
mistake. What is stored is the scope and a SHA-256 of the key, never the key itself.
"""

import hashlib
import secrets
from dataclasses import dataclass

from django.core import signing

_FORM_SALT = "contento.core.idempotency.form"
# A form key is good for a day: long enough for a slow visitor, short enough to expire.
FORM_KEY_MAX_AGE = 24 * 3600
MAX_CLIENT_KEY_LENGTH = 200


class IdempotencyKeyError(ValueError):
    """A client's key that cannot be used (empty or too long)."""


@dataclass(frozen=True)
class IdempotencyKey:
    """An idempotency key together with who may replay it; `value` is what is stored."""

    value: str

    @classmethod
    def _make(cls, scope: str, key: str) -> "IdempotencyKey":
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        return cls(f"{scope}:{digest}")

    @classmethod
    def for_member(cls, membership, key: str | None) -> "IdempotencyKey | None":
        """Return the API key `key` of this member, None without one; refuse a bad key."""
        if key is None:
            return None
        if not 1 <= len(key) <= MAX_CLIENT_KEY_LENGTH:
            raise IdempotencyKeyError(
                f"Idempotency-Key must be 1 to {MAX_CLIENT_KEY_LENGTH} characters."
            )
        return cls._make(f"member-{membership.pk}", key)

    @classmethod
    def from_form(cls, signed: str | None, purpose: str) -> "IdempotencyKey | None":
        """Return the key of a form this server issued for `purpose`, else None."""
        if not signed or len(signed) > 500:
            return None
        try:
            nonce = signing.loads(signed, salt=f"{_FORM_SALT}:{purpose}", max_age=FORM_KEY_MAX_AGE)
        except signing.BadSignature:
            return None
        if not isinstance(nonce, str):
            return None
        return cls._make(f"form-{purpose}", nonce)

    @classmethod
    def for_system(cls, name: str) -> "IdempotencyKey":
        """Return a key the product derives itself (no request can produce it)."""
        return cls._make("system", name)


def issue_form_key(purpose: str) -> str:
    """Return a fresh signed key to put in a form for `purpose` (see `from_form`)."""
    return signing.dumps(secrets.token_urlsafe(18), salt=f"{_FORM_SALT}:{purpose}")


def require(key) -> str | None:
    """Return the stored value of an `IdempotencyKey` (None for none); refuse anything else."""
    if key is None:
        return None
    if not isinstance(key, IdempotencyKey):
        raise TypeError(
            "An idempotency key must be an IdempotencyKey bound to who asks, not "
            f"{type(key).__name__}: see contento.core.idempotency."
        )
    return key.value
