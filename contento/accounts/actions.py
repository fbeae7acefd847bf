"""State changes of accounts, workspaces, memberships and API tokens."""

import secrets
import zoneinfo
from datetime import timedelta
from urllib.parse import urlsplit

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from contento.accounts.models import (
    ApiToken,
    Invitation,
    Membership,
    Organization,
    User,
    hash_token,
)
from contento.accounts.registers import REGISTERS
from contento.accounts.roles import Role
from contento.core.colours import AA_TEXT, HEX_COLOUR, WHITE, contrast_ratio

TIME_ZONES = frozenset(zoneinfo.available_timezones())
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
    """Remove a member from the workspace: their API tokens go with the membership and every
    session of theirs ends (they sign in again to reach their other workspaces). The last
    owner stays."""
    with transaction.atomic():
        _check_keeps_an_owner(membership, new_role=None)
        membership.delete()
        do_end_sessions(membership.user)


def do_end_sessions(user: User) -> None:
    """End every session of `user`, on every device and web process."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])


# An invitation is a link signed with the installation's secret that carries the invitation's
# code and its time of sending; the row says whether it is still open.
INVITATION_DAYS = 7
_INVITATION_SALT = "contento.accounts.invitation"


def invitation_token(invitation: Invitation) -> str:
    """The signed part of the invitation's link, valid INVITATION_DAYS days."""
    return signing.TimestampSigner(salt=_INVITATION_SALT).sign(invitation.code.hex)


def do_invite_member(
    *, organization: Organization, email: str, role: str, invited_by: User | None
) -> Invitation:
    """Invite `email` to the workspace with `role`; inviting the same address again while the
    invitation is open changes its role and sends it anew (one invitation, never two)."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise AccountError(_("Enter the new member's email address.")) from None
    if role not in Role.values:
        raise AccountError(_("Choose a role."))
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise AccountError(_("%(email)s is already a member.") % {"email": email})
    for _attempt in range(2):
        try:
            with transaction.atomic():
                invitation = (
                    Invitation.objects.select_for_update()
                    .filter(organization=organization, email=email)
                    .filter(accepted_at__isnull=True, revoked_at__isnull=True)
                    .first()
                )
                if invitation is None:
                    return Invitation.objects.create(
                        organization=organization, email=email, role=role, invited_by=invited_by
                    )
                invitation.role = role
                invitation.invited_by = invited_by
                invitation.sent_at = timezone.now()
                invitation.save(update_fields=["role", "invited_by", "sent_at"])
                return invitation
        except IntegrityError:
            continue  # another request created it meanwhile: update that one
    raise AccountError(_("The invitation could not be saved. Please try again."))


def do_revoke_invitation(invitation: Invitation) -> None:
    """Withdraw an open invitation: its link stops working."""
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def open_invitation(token: str) -> Invitation:
    """Return the open invitation the link's `token` stands for, or raise AccountError
    saying why it cannot be used (forged, expired, withdrawn or used)."""
    signer = signing.TimestampSigner(salt=_INVITATION_SALT)
    try:
        code = signer.unsign(token, max_age=timedelta(days=INVITATION_DAYS))
    except signing.SignatureExpired:
        raise AccountError(
            _("This invitation has expired. Ask the workspace's owner to send it again.")
        ) from None
    except signing.BadSignature:
        raise AccountError(_("This invitation link is not valid.")) from None
    invitation = Invitation.objects.select_related("organization").filter(code=code).first()
    if invitation is None or invitation.revoked_at is not None:
        raise AccountError(_("This invitation was withdrawn."))
    if invitation.accepted_at is not None:
        raise AccountError(_("This invitation has already been used. Sign in instead."))
    return invitation


def do_accept_invitation(
    invitation: Invitation, *, user: User | None = None, name: str = "", password: str = ""
) -> Membership:
    """Join the workspace from an open invitation, once.

    A signed-in `user` joins when the invitation is for their address; otherwise a new user
    is made with `name` and `password` (already validated). A second use of the same
    invitation raises AccountError and hands nothing to anyone.
    """
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_open:
            raise AccountError(_("This invitation has already been used. Sign in instead."))
        if user is None:
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise AccountError(
                    _("You already have an account: sign in to accept the invitation.")
                )
            user = do_create_user(email=invitation.email, password=password, name=name.strip())
        elif user.email.lower() != invitation.email.lower():
            raise AccountError(
                _("This invitation is for %(email)s. Sign in with that address to accept it.")
                % {"email": invitation.email}
            )
        membership = do_add_member(
            organization=invitation.organization, user=user, role=invitation.role
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return membership


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


# What an owner may change in the workspace's settings page.
WORKSPACE_FIELDS = (
    "name",
    "default_language",
    "brand_colour",
    "time_zone",
    "sender_name",
    "reply_to",
    "public_url",
    "require_two_factor",
    "registers",
    "widget_origins",
    "survey_gap_days",
    "quiet_hours_start",
    "quiet_hours_end",
)


def check_origin(origin: str) -> str:
    """Return a site's origin ("https://shop.example.com"), or raise ValidationError."""
    parts = urlsplit((origin or "").strip())
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.path.strip("/"):
        raise ValidationError(
            _("%(origin)s is not a site's address: write it like https://shop.example.com.")
            % {"origin": origin}
        )
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def check_brand_colour(colour: str) -> str:
    """Return the colour as "#rrggbb" in lower case, or raise ValidationError.

    White text on it, and it as link text on white, must reach WCAG 2.1 AA's 4.5:1.
    """
    colour = (colour or "").strip().lower()
    if not HEX_COLOUR.fullmatch(colour):
        raise ValidationError(_("Write the colour as # and six hexadecimal digits, like #0b5cad."))
    ratio = contrast_ratio(colour, WHITE)
    if ratio < AA_TEXT:
        raise ValidationError(
            _(
                "This colour is too light to carry white text: its contrast is %(ratio).1f:1, "
                "and at least %(needed).1f:1 is needed. Choose a darker shade."
            )
            % {"ratio": ratio, "needed": AA_TEXT}
        )
    return colour


@transaction.atomic
def do_update_workspace(organization: Organization, changes: dict) -> Organization:
    """Change the workspace's settings (`WORKSPACE_FIELDS`); raise ValidationError, saving
    nothing, when any value is refused."""
    unknown = set(changes) - set(WORKSPACE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    errors = {}
    for name, value in changes.items():
        if name == "brand_colour":
            try:
                value = check_brand_colour(value)
            except ValidationError as error:
                errors[name] = error.messages
                continue
        if name == "registers":
            unknown = [code for code in value or [] if code not in REGISTERS]
            if unknown or not isinstance(value, list):
                errors[name] = [_("Unknown way of addressing customers.")]
                continue
        if name == "widget_origins":
            try:
                value = [check_origin(origin) for origin in value or []]
            except ValidationError as error:
                errors[name] = error.messages
                continue
        if name == "time_zone" and value not in TIME_ZONES:
            errors[name] = [_("Unknown time zone %(zone)s.") % {"zone": value}]
            continue
        if isinstance(value, str):
            value = value.strip()
        setattr(organization, name, value)
    try:
        organization.full_clean(exclude=["code"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, messages)
    if errors:
        raise ValidationError(errors)
    organization.save()
    return organization


def do_replace_widget_secret(organization: Organization, *, remove: bool = False) -> str:
    """Give the workspace a new secret for signing visitor tokens (contento.customers.visitors),
    or none; tokens signed with the old one stop working at once."""
    organization.widget_secret = "" if remove else secrets.token_urlsafe(32)
    Organization.objects.filter(pk=organization.pk).update(widget_secret=organization.widget_secret)
    return organization.widget_secret


@transaction.atomic
def do_create_demo_workspace(name: str, *, owners) -> Organization:
    """Create a demo workspace (it never sends mail), owned by `owners`."""
    org = Organization.objects.create(name=name, is_demo=True)
    for user in owners:
        Membership.objects.create(user=user, organization=org, role=Role.OWNER)
    return org


@transaction.atomic
def do_remove_demo_workspaces(organizations=None) -> int:
    """Delete demo workspaces (all, or those among `organizations`) with everything in them;
    return how many. A business's own workspace is never touched."""
    demos = Organization.objects.filter(is_demo=True)
    if organizations is not None:
        demos = demos.filter(pk__in=[o.pk for o in organizations])
    count = 0
    for org in demos.select_for_update():
        _delete_everything(Organization.objects.filter(pk=org.pk))
        count += 1
    return count


def _delete_everything(queryset, depth: int = 0) -> None:
    """Delete the rows and all that refers to them, protected references included.

    Records that protect what they refer to (a ticket its customer, a purchase its product)
    are deleted first. For a demo workspace only: everything in it goes, and nothing refers
    across workspaces. This app cannot name the models above it, so Django says which.
    """
    if depth > 10:
        raise RuntimeError("Too many levels of protected references.")
    while True:
        try:
            with transaction.atomic():
                queryset.delete()
            return
        except ProtectedError as error:
            by_model: dict = {}
            for obj in error.protected_objects:
                by_model.setdefault(type(obj), set()).add(obj.pk)
            for model, pks in by_model.items():
                _delete_everything(model._default_manager.filter(pk__in=pks), depth + 1)


# The logo's formats, by the bytes a file of each begins with. SVG is refused: it can carry
# script, and a logo is shown on every page customers open.
LOGO_TYPES = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "webp": (b"RIFF",),
}
LOGO_MAX_BYTES = 256 * 1024


def logo_format(content: bytes) -> str | None:
    """Return the logo's format ("png", "jpg", "webp") from its first bytes, or None."""
    for name, signatures in LOGO_TYPES.items():
        if any(content.startswith(s) for s in signatures):
            if name == "webp" and content[8:12] != b"WEBP":
                continue
            return name
    return None


@transaction.atomic
def do_set_workspace_logo(organization: Organization, upload) -> Organization:
    """Replace the workspace's logo with `upload` (a file), or remove it (None).

    Raises ValidationError for a file that is not a PNG, JPEG or WebP image, or is larger than
    LOGO_MAX_BYTES; the logo in place is then kept.
    """
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    old = organization.logo.name
    if upload is None:
        organization.logo = ""
    else:
        content = upload.read(LOGO_MAX_BYTES + 1)
        if len(content) > LOGO_MAX_BYTES:
            raise ValidationError(
                {"logo": _("The logo is larger than %(kb)d KB.") % {"kb": LOGO_MAX_BYTES // 1024}}
            )
        kind = logo_format(content)
        if kind is None:
            raise ValidationError({"logo": _("Upload the logo as a PNG, JPEG or WebP image.")})
        name = f"{organization.code}-{secrets.token_hex(4)}.{kind}"
        organization.logo.save(name, ContentFile(content), save=False)
    organization.save(update_fields=["logo"])
    if old and old != organization.logo.name:
        storage = organization.logo.storage
        transaction.on_commit(lambda: storage.delete(old), robust=True)
    return organization


def may_create_workspaces(user: User) -> bool:
    """Whether `user` may create workspaces: an owner of one (an agency, a group of shops),
    or an administrator of the installation."""
    return user.is_superuser or user.memberships.filter(role=Role.OWNER).exists()


@transaction.atomic
def do_delete_workspace(organization: Organization, *, confirm: str) -> None:
    """Delete a workspace with everything in it, when `confirm` is its name exactly.

    Raises ValidationError otherwise. Irreversible: surveys, answers, customers, tickets and
    files go with it.
    """
    if confirm.strip() != organization.name:
        raise ValidationError(_("Type the workspace's name exactly to delete it."))
    _delete_everything(Organization.objects.filter(pk=organization.pk))
