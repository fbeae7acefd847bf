"""Reaching the right customers: saved audiences, campaigns of invitations, and each
customer's delivery of a campaign with what became of it."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from contento.accounts.models import Organization
from contento.customers.models import Customer
from contento.surveys.models import Survey


class Audience(models.Model):
    """A saved selection of customers, by conditions on who they are and what they did
    (`contento.distribution.audiences`), read afresh each time it is used."""

    class Match(models.TextChoices):
        ALL = "all", _("all of the conditions")
        ANY = "any", _("any of the conditions")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    match = models.CharField(_("match"), max_length=3, choices=Match.choices, default=Match.ALL)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("audience")

    def __str__(self):
        return self.name


class Campaign(models.Model):
    """An invitation to a survey by email or text message, sent to an audience, with
    reminders.

    The message (an email's subject and body, or a text message's words) is written per
    language; each customer gets it in their own language when the survey has it.
    Invitations leave at the chosen local time in each customer's time zone, outside the
    workspace's quiet hours, at most `per_minute` a minute.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        QUEUED = "queued", _("Being prepared")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        CAMPAIGN = "campaign", _("Campaign")
        TRIGGER = "trigger", _("Trigger")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("Text message")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.CAMPAIGN)
    channel = models.CharField(
        _("sent by"), max_length=8, choices=Channel.choices, default=Channel.EMAIL
    )
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="+", verbose_name=_("survey")
    )
    # A campaign's audience; a trigger has none (its events choose who is asked).
    audience = models.ForeignKey(
        Audience,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("audience"),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # A trigger's event, how long after it the survey leaves, the event's conditions
    # (contento.distribution.triggers) and when it last looked for events.
    event = models.CharField(_("event"), max_length=20, blank=True)
    delay_hours = models.PositiveIntegerField(_("hours after the event"), default=24)
    event_conditions = models.JSONField(default=dict, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)
    # {language: {"subject": …, "body": …}} for email, {language: {"text": …}} for a text
    # message; a language left out uses the catalog's wording.
    messages = models.JSONField(default=dict, blank=True)
    send_on = models.DateField(_("send on"), null=True, blank=True)
    send_time = models.TimeField(_("at (the customer's time)"), default=datetime.time(10, 0))
    reminders = models.PositiveSmallIntegerField(_("reminders"), default=1)
    reminder_days = models.PositiveSmallIntegerField(_("days between reminders"), default=3)
    per_minute = models.PositiveIntegerField(_("invitations a minute at most"), default=300)
    # A relationship survey: sent again every `repeat_months` (0: once) to a random sample of
    # `sample_size` of the audience (0: all of it); `wave` counts the sendings.
    repeat_months = models.PositiveSmallIntegerField(_("repeat every (months)"), default=0)
    sample_size = models.PositiveIntegerField(_("random sample of"), default=0)
    wave = models.PositiveIntegerField(default=0)
    # How many of the audience were left out, and why ({"no_consent": 12, …}), at sending.
    exclusions = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("campaign")

    def __str__(self):
        return self.name


class Delivery(models.Model):
    """One customer's invitation of a campaign, and what became of it.

    Every member of the audience has exactly one (unique per campaign and customer): the
    excluded ones too, with the reason, so every exclusion is counted and nobody is invited
    twice however often the campaign is queued.
    """

    class Status(models.TextChoices):
        EXCLUDED = "excluded", _("Left out")
        SCHEDULED = "scheduled", _("Scheduled")
        SENT = "sent", _("Sent")
        BOUNCED = "bounced", _("Bounced")
        FAILED = "failed", _("Failed")

    class Reason(models.TextChoices):
        NONE = "", ""
        NO_EMAIL = "no_email", _("no email address")
        NO_PHONE = "no_phone", _("no mobile number")
        NO_CONSENT = "no_consent", _("no consent to be contacted")
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed")
        BOUNCED = "bounced", _("address bounced")
        RECENT = "recent", _("surveyed recently")
        ERASED = "erased", _("personal data erased")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliveries")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="deliveries")
    # The event a trigger's delivery answers ("purchase:42"); empty for a campaign's.
    event_key = models.CharField(max_length=100, blank=True, default="")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    language = models.CharField(max_length=8)
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.CharField(max_length=12, choices=Reason.choices, blank=True, default="")
    send_after = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    reminded_at = models.DateTimeField(null=True, blank=True)
    next_reminder_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    # The personal link's key, shared with the response it leads to (surveys.links).
    link_key = models.CharField(max_length=64, blank=True, db_index=True)
    # A text message's link: /m/<short_code>, the product's own short address for it.
    short_code = models.CharField(max_length=12, null=True, blank=True, unique=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "customer", "event_key"], name="delivery_once_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["status", "send_after"]),
            models.Index(fields=["next_reminder_at"]),
        ]

    def __str__(self):
        return f"{self.campaign} → {self.customer_id}"

    @property
    def wave(self) -> str:
        """What makes this delivery's survey link its own (surveys.links): the campaign, and
        the event for a trigger, so each event's invitation leads to a fresh response."""
        code = str(self.campaign.code)
        return f"{code}:{self.event_key}" if self.event_key else code


class FollowUpRule(models.Model):
    """A rule that turns one unhappy response into a follow-up case for the desk.

    The condition is one of (`contento.distribution.loop`):

        {"kind": "score", "question": "nps" | "csat" | "ces", "max": 6}
        {"kind": "angry"}                        an angry comment
        {"kind": "choice", "question": "<key>", "choice": "<key>"}
        {"kind": "attribute", "name": "plan", "value": "pro"}

    The case goes to the rule's team with its priority, due within `due_hours` business hours
    of the team's calendar. Rules are tried in order; the first that matches opens the case,
    so one response opens at most one.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    survey = models.ForeignKey(
        Survey,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("survey"),
        help_text=_("Empty: every survey."),
    )
    condition = models.JSONField(_("condition"), default=dict)
    team = models.ForeignKey(
        "support.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )

    class Action(models.TextChoices):
        CASE = "case", _("open a follow-up case")
        NOTIFY = "notify", _("only notify")

    class When(models.TextChoices):
        NOW = "now", _("at once")
        DIGEST = "digest", _("in a daily digest")

    class Route(models.TextChoices):
        TEAM = "team", _("the rule's team")
        OWNER = "owner", _("the customer's account owner (else the team)")

    action = models.CharField(_("then"), max_length=8, choices=Action.choices, default=Action.CASE)
    # Who gets the case (assigned to them) or the notice: the team, or the customer's account
    # owner when they have one who works tickets.
    route = models.CharField(_("for"), max_length=8, choices=Route.choices, default=Route.TEAM)
    # For a rule that only notifies: the team's members (else the workspace's owners and
    # managers) get a notice in their inbox, emailed at once or in the morning's digest.
    notify = models.CharField(
        _("notify"), max_length=8, choices=When.choices, default=When.NOW, blank=True
    )
    priority = models.CharField(_("priority"), max_length=10, default="high")
    due_hours = models.PositiveSmallIntegerField(_("due within (business hours)"), default=24)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("follow-up rule")

    def __str__(self):
        return self.name


class RootCause(models.Model):
    """One of the workspace's own root causes of unhappy customers ("late delivery", "billing
    error"), chosen when a follow-up case is closed, so causes can be counted."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("root cause")
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="root_cause_unique")
        ]

    def __str__(self):
        return self.name


class FollowUpCase(models.Model):
    """One response followed up: the desk ticket working it, and its outcome.

    "Closed the loop" means the customer was contacted and the case was resolved.
    """

    class Contact(models.TextChoices):
        NONE = "", _("not yet")
        PHONE = "phone", _("by phone")
        EMAIL = "email", _("by email")
        VISIT = "visit", _("in person")
        CHAT = "chat", _("by chat")
        UNREACHABLE = "unreachable", _("could not be reached")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    response = models.OneToOneField(
        "surveys.Response", on_delete=models.CASCADE, related_name="follow_up_case"
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(
        FollowUpRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    ticket = models.ForeignKey(
        "support.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    # The outcome, written by whoever works the case.
    contacted = models.CharField(
        _("contacted"), max_length=12, choices=Contact.choices, blank=True, default=""
    )
    contacted_at = models.DateTimeField(_("contacted at"), null=True, blank=True)
    resolved = models.BooleanField(_("resolved"), default=False)
    root_cause = models.ForeignKey(
        RootCause,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("root cause"),
    )
    compensation = models.CharField(_("compensation"), max_length=200, blank=True)
    customer_words = models.TextField(_("the customer's own words"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("follow-up case")

    def __str__(self):
        return f"Follow-up of {self.response_id}"

    @property
    def closed_the_loop(self) -> bool:
        return bool(self.contacted) and self.contacted != self.Contact.UNREACHABLE and self.resolved


class Notice(models.Model):
    """A response a rule asked a member to know about: in their inbox, and emailed at once
    or in the daily digest. One per member and response."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="notices"
    )
    rule = models.ForeignKey(FollowUpRule, on_delete=models.SET_NULL, null=True, related_name="+")
    response = models.ForeignKey("surveys.Response", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=300)
    digest = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "response"], name="notice_once")
        ]

    def __str__(self):
        return self.title
