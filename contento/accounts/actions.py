"""State changes of accounts, workspaces, memberships and API tokens."""

import secrets

from django.db import transaction
from django.utils import timezone

from contento.accounts.models import ApiToken, Membership, Organization, User, hash_token
from contento.accounts.roles import Role

TOKEN_PREFIX = "cto_"  # noqa: S105 - a public marker, not a secret


class AccountError(ValueError):
    """An account change that would break a rule (the message says which)."""


@transaction.atomic
def do_create_organization(*, name: str, owner: User, default_language: str = "en"):
    """Create a workspace with `owner` as its first owner."""
    org = Organization.objects.create(name=name, default_language=default_language)
    Membership.objects.create(user=owner, organization=org, role=Role.OWNER)
    return org


def do_create_user(*, email: str, password: str | None, name: str = "", language: str = "en"):
    """Create a user who signs in with `email` and `password`."""
    if User.objects.filter(email__iexact=email).exists():
        raise AccountError(f"A user with the email {email} already exists.")
    return User.objects.create_user(email=email, password=password, name=name, language=language)


def do_add_member(*, organization: Organization, user: User, role: str) -> Membership:
    """Add `user` to `organization` with `role`, or change the role of an existing member."""
    if role not in Role.values:
        raise AccountError(f"Unknown role {role!r}.")
    with transaction.atomic():
        membership, created = Membership.objects.select_for_update().get_or_create(
            user=user, organization=organization, defaults={"role": role}
        )
        if not created and membership.role != role:
            _check_keeps_an_owner(membership, new_role=role)
            membership.role = role
            membership.save(update_fields=["role"])
    return membership


def do_remove_member(membership: Membership) -> None:
    """Remove a member (and their API tokens) from the workspace; the last owner stays."""
    with transaction.atomic():
        _check_keeps_an_owner(membership, new_role=None)
        membership.delete()


def _check_keeps_an_owner(membership: Membership, new_role: str | None) -> None:
    if membership.role != Role.OWNER or new_role == Role.OWNER:
        return
    owners = Membership.objects.filter(organization=membership.organization, role=Role.OWNER)
    if owners.exclude(pk=membership.pk).count() == 0:
        raise AccountError("A workspace must keep at least one owner.")


def do_create_api_token(membership: Membership, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token and return it with its key (shown once, never stored)."""
    name = name.strip()
    if not name:
        raise AccountError("Give the token a name, so you know later what uses it.")
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        membership=membership, name=name[:100], prefix=key[:10], key_hash=hash_token(key)
    )
    return token, key


def do_revoke_api_token(token: ApiToken) -> None:
    """Revoke a token; requests that use it fail from now on."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def authenticate_api_key(key: str) -> ApiToken | None:
    """Return the live token for `key`, recording its use, or None."""
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("membership__user", "membership__organization")
        .filter(key_hash=hash_token(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.membership.user.is_active:
        return None
    now = timezone.now()
    # Write at most once a minute: a busy integration must not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
