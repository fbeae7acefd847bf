import datetime
import hashlib
import uuid
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from contento.accounts.roles import Role, role_can

DEFAULT_BRAND = "#0b5cad"  # the product's own blue: 6.6:1 on white


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address and a password."""

    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Raised to end every session of the user at once (removed from a workspace, signed out
    # everywhere): the session's check hash includes it.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.name or self.email

    def _get_session_auth_hash(self, secret=None):
        # Generation 0 hashes as Django does, so sessions from before the field stay valid.
        if not self.session_generation:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "contento.accounts.User.session",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class Organization(models.Model):
    """A workspace: one business (or one department) with its members, customers and surveys.

    Everything a member sees belongs to exactly one organisation, and nothing crosses from one
    organisation to another.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    # What customers see: survey pages, the help centre and emails wear the brand colour and
    # come from the sender name; links they receive start with the public address.
    brand_colour = models.CharField(_("brand colour"), max_length=7, default=DEFAULT_BRAND)
    logo = models.FileField(_("logo"), upload_to="logos/", max_length=200, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default=settings.TIME_ZONE)
    sender_name = models.CharField(_("sender name"), max_length=100, blank=True)
    reply_to = models.EmailField(_("reply-to address"), blank=True)
    public_url = models.URLField(_("public address"), blank=True)
    # The other register of customer-facing text, where a language has two (registers.py).
    registers = models.JSONField(_("ways of addressing customers"), default=list, blank=True)
    # The sites that may show the web widget (origins such as https://shop.example.com); none
    # listed: any site.
    widget_origins = models.JSONField(_("sites that may show the widget"), default=list, blank=True)
    # The key the business's site signs visitor tokens with (contento.customers.visitors);
    # empty: the widget's visitors stay anonymous.
    widget_secret = models.CharField(
        _("widget secret"), max_length=64, blank=True, default="", editable=False
    )
    # Reaching customers: no customer is surveyed more than once in this many days (0: no
    # limit), across every survey, campaign and trigger; and no invitation leaves during the
    # quiet hours of the customer's own time zone.
    survey_gap_days = models.PositiveSmallIntegerField(
        _("days between two surveys of one customer"), default=30
    )
    quiet_hours_start = models.TimeField(_("quiet hours begin"), default=datetime.time(21, 0))
    quiet_hours_end = models.TimeField(_("quiet hours end"), default=datetime.time(9, 0))
    # Members must sign in with a second factor (an authenticator app) to use the workspace.
    require_two_factor = models.BooleanField(_("require two-factor sign-in"), default=False)
    # The demo workspace `contento setup` loads beside the business's own, removable at will.
    is_demo = models.BooleanField(_("demo workspace"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def public_link(self, path: str) -> str:
        """Return the full address of a page customers open (a survey, their ticket)."""
        return f"{(self.public_url or settings.SITE_URL).rstrip('/')}{path}"

    @property
    def sends_mail(self) -> bool:
        """Whether mail to this workspace's customers is sent: never for the demo, whose
        customers are invented."""
        return not self.is_demo

    @property
    def email_sender(self) -> str:
        """The From of mail to customers: the sender name (else the business's name) and the
        installation's sending address."""
        address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        return formataddr((self.sender_name or self.name, address))


class Membership(models.Model):
    """A user's place in an organisation, with the role that decides what they may do."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique")
        ]

    def __str__(self):
        return f"{self.user} @ {self.organization} ({self.role})"

    def can(self, permission: str) -> bool:
        return role_can(self.role, permission)


def hash_token(key: str) -> str:
    """Return the stored form of an API token: its SHA-256, so a database leak leaks no key."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token: acts as its user, within one organisation, with the user's role.

    Only the SHA-256 of the key is stored; the key itself is shown once, when it is created.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class Invitation(models.Model):
    """An invitation to join a workspace with a role, sent by email as a signed link that
    expires; it is used once, by the person who sets their password from it (or signs in)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open invitation per address and workspace: inviting again re-sends it.
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open",
            )
        ]

    def __str__(self):
        return f"{self.email} → {self.organization} ({self.role})"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class AuditEvent(models.Model):
    """One thing a member did that an owner may need to account for later.

    It names the member, the action and the object by its code, with details such as a role
    or a count, and never the personal data it concerns (no customer's name, email or answer).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="audit_events"
    )
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_code = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action}"
