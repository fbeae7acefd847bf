"""The support desk: teams, tickets and their conversation, SLAs, canned replies, ratings."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contento.accounts.models import Membership, Organization
from contento.core.constraints import unique_when_set
from contento.customers.models import Customer, Product, Subscription

LANGUAGE_CHOICES = settings.LANGUAGES


class Team(models.Model):
    """A group of agents who answer one kind of request (billing, technical support...).

    A team has its own inbound address, the business calendar its SLA clocks count in, the
    way new tickets are shared among its members, and a manager who gets escalations and
    follow-ups of bad ratings.
    """

    class Assignment(models.TextChoices):
        ROUND_ROBIN = "round_robin", _("Round-robin")
        LEAST_BUSY = "least_busy", _("Least busy")
        MANUAL = "manual", _("Manual")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    email_address = models.EmailField(
        _("inbound address"),
        blank=True,
        help_text=_("Mail sent to this address becomes a ticket of this team."),
    )
    members = models.ManyToManyField(Membership, blank=True, related_name="teams")
    manager = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_teams",
        verbose_name=_("manager"),
    )
    assignment = models.CharField(
        _("assignment"), max_length=12, choices=Assignment.choices, default=Assignment.ROUND_ROBIN
    )
    # A `contento.support.businesshours.Calendar` as a dict; empty means the default calendar.
    calendar = models.JSONField(_("business hours"), default=dict, blank=True)
    last_assigned = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [unique_when_set("email_address", name="team_email_address_unique")]

    def __str__(self):
        return self.name


class SlaPolicy(models.Model):
    """How fast a ticket must be answered, updated and solved, in the team's business minutes.

    A policy applies to the tickets of its team (any team when empty) and priority (any when
    empty); the most specific matching policy wins. Following Zammad, the first response is
    due after `first_response_minutes`, each unanswered customer message wants an update within
    `update_minutes`, and the whole ticket a solution within `resolution_minutes`; the clocks
    stop while the ticket waits on the customer.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="sla_policies"
    )
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="sla_policies"
    )
    priority = models.CharField(_("priority"), max_length=8, blank=True)
    first_response_minutes = models.PositiveIntegerField(
        _("first response (business minutes)"), null=True, blank=True
    )
    update_minutes = models.PositiveIntegerField(
        _("next update (business minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (business minutes)"), null=True, blank=True
    )
    warning_percent = models.PositiveSmallIntegerField(
        _("warn when this percent of the time is used"), default=80
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self):
        return self.name


class Tag(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=50)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="tag_name_unique")
        ]

    def __str__(self):
        return self.name


class Ticket(models.Model):
    """One request of a customer and the whole conversation about it, until it is solved.

    `reference` is the short code the customer sees ("[#K7Q2MD]" in mail subjects) and that
    threads their replies; `code` identifies the ticket in URLs. The SLA due times are kept
    on the row so that queues sort by them and the worker finds breaches with one query.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        WEB = "web", _("Web form")
        CHAT = "chat", _("Chat")
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")
        API = "api", _("API")
        FOLLOW_UP = "follow_up", _("Follow-up")

    # The channels whose customers read our answers by email (a web form leaves an address, a
    # follow-up writes to the customer); the others read them where they wrote (the chat page)
    # or heard them (a call, a visit).
    ANSWERED_BY_EMAIL = frozenset({Channel.EMAIL, Channel.WEB, Channel.FOLLOW_UP})

    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", pgettext_lazy("ticket status", "Open")
        PENDING_CUSTOMER = "pending_customer", _("Pending customer")
        ON_HOLD = "on_hold", _("On hold")
        SOLVED = "solved", _("Solved")
        CLOSED = "closed", pgettext_lazy("ticket status", "Closed")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="tickets")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=12)
    subject = models.CharField(_("subject"), max_length=250)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="tickets")
    product = models.ForeignKey(
        Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    subscription = models.ForeignKey(
        Subscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    assignee = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES, default="en")
    angry = models.BooleanField(_("angry customer"), default=False)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )
    # The key of the request that created the ticket, so a retried request does not make two.
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)
    # Signed into the customer's links (their ticket, its rating): raising it revokes them all.
    link_version = models.PositiveIntegerField(default=0)
    # "pending" while the acknowledgement email waits to go out, "sent" once it went.
    acknowledgement = models.CharField(max_length=8, blank=True, default="")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    last_agent_reply_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    sla_policy = models.ForeignKey(
        SlaPolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    update_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    sla_next_due_at = models.DateTimeField(null=True, blank=True)
    sla_warning_at = models.DateTimeField(null=True, blank=True)
    sla_paused = models.BooleanField(default=False)
    sla_warned_at = models.DateTimeField(null=True, blank=True)
    sla_breached_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reference"], name="ticket_reference_unique"
            ),
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"], name="ticket_idempotency_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["sla_next_due_at"]),
            models.Index(fields=["organization", "created_at"]),
        ]

    def __str__(self):
        return f"[#{self.reference}] {self.subject}"

    def get_absolute_url(self):
        return reverse("support:ticket", args=[self.code])

    @property
    def is_open(self):
        return self.status not in {self.Status.SOLVED, self.Status.CLOSED}


class TicketMessage(models.Model):
    """One entry of a ticket's conversation: the customer's message, an agent's reply, an
    internal note, a logged call, or an automatic mail (auto-reply, bounce) kept for the record.
    """

    class Kind(models.TextChoices):
        MESSAGE = "message", _("Message")
        NOTE = "note", _("Internal note")
        CALL = "call", _("Call or conversation")
        AUTO_REPLY = "auto_reply", _("Automatic reply")
        BOUNCE = "bounce", _("Bounce")

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("From the customer")
        OUTBOUND = "outbound", _("To the customer")
        INTERNAL = "internal", _("Internal")

    class Delivery(models.TextChoices):
        NONE = "", _("Not sent")
        QUEUED = "queued", _("Queued")
        SENT = "sent", pgettext_lazy("delivery", "Sent")
        FAILED = "failed", pgettext_lazy("delivery", "Failed")

    class Outcome(models.TextChoices):
        NONE = "", "—"
        RESOLVED = "resolved", _("Resolved during the conversation")
        FOLLOW_UP = "follow_up", _("Needs a follow-up")
        CALLBACK = "callback", _("Call back later")
        NO_ANSWER = "no_answer", _("No answer")
        ESCALATED = "escalated", _("Escalated")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.MESSAGE)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    channel = models.CharField(max_length=10, choices=Ticket.Channel.choices)
    author = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("message"), blank=True)
    body_html = models.TextField(blank=True)
    quoted_text = models.TextField(blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, blank=True, default=""
    )
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    # Mail headers that thread replies back into this ticket.
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)
    email_from = models.CharField(max_length=254, blank=True)
    # The To and Cc addresses of an inbound mail: people who may reply within the thread.
    email_to = models.TextField(blank=True)
    delivery = models.CharField(max_length=8, choices=Delivery.choices, blank=True, default="")
    delivery_error = models.TextField(blank=True)
    # What contento.text read in the message (language, sentiment, anger), when analysed.
    analysis = models.JSONField(null=True, blank=True)
    sentiment_score = models.FloatField(null=True, blank=True)
    anger = models.FloatField(null=True, blank=True)
    angry = models.BooleanField(default=False)
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "idempotency_key"], name="ticket_message_idempotency_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "message_id"]),
            # The few messages still waiting to be read or sent, for the sweeps.
            models.Index(
                fields=["created_at"],
                condition=models.Q(analysis__isnull=True) & ~models.Q(body=""),
                name="message_unanalysed",
            ),
            models.Index(
                fields=["created_at"], condition=models.Q(delivery="queued"), name="message_queued"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.ticket.reference}"

    @property
    def is_public(self):
        return self.kind in {self.Kind.MESSAGE, self.Kind.CALL}


def _attachment_path(attachment, filename):
    return f"attachments/{attachment.organization_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file that came with a message (kept under the configured size and type limits)."""

    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, related_name="attachments")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    file = models.FileField(upload_to=_attachment_path, max_length=255)
    content_id = models.CharField(max_length=255, blank=True)
    inline = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.filename


class TicketEvent(models.Model):
    """A change of a ticket (status, priority, assignment, SLA warning...) for its history.

    The SLA clock reads the status changes from here: it is paused while the ticket waits on
    the customer and must know since when.
    """

    class Kind(models.TextChoices):
        STATUS = "status", _("Status changed")
        PRIORITY = "priority", _("Priority changed")
        ASSIGNED = "assigned", _("Assigned")
        TEAM = "team", _("Team changed")
        SLA_WARNING = "sla_warning", _("SLA warning")
        SLA_BREACH = "sla_breach", _("SLA breached")
        ESCALATED = "escalated", _("Escalated")
        ANGRY = "angry", _("Angry customer")
        RATED = "rated", _("Rated")
        LINKS_REVOKED = "links_revoked", _("Customer links revoked")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    old = models.CharField(max_length=100, blank=True)
    new = models.CharField(max_length=100, blank=True)
    actor = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.kind}: {self.old} → {self.new}"

    @property
    def new_display(self) -> str:
        """The new value as people read it: a status or priority by its label."""
        choices = {self.Kind.STATUS: Ticket.Status, self.Kind.PRIORITY: Ticket.Priority}
        enum = choices.get(self.kind)
        if enum is not None and self.new in enum.values:
            return str(enum(self.new).label)
        return self.new


class InboundEmail(models.Model):
    """Every mail the desk received, with what became of it.

    Kept even when nothing was created (an auto-reply, a bounce, a loop, a refused message),
    so an operator can see why a customer's mail did not show up; the Message-ID makes a
    redelivered mail a no-op.
    """

    class Outcome(models.TextChoices):
        CREATED = "created", _("New ticket")
        APPENDED = "appended", _("Added to a ticket")
        AUTO_REPLY = "auto_reply", _("Automatic reply, not answered")
        BOUNCE = "bounce", _("Bounce")
        LOOP = "loop", _("Mail loop stopped")
        REJECTED = "rejected", _("Rejected")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True)
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message_id = models.CharField(max_length=255, blank=True)
    # SHA-256 of the raw message: a redelivery has the same bytes; a different message that
    # reuses a Message-ID (broken mailers do) does not, and is kept.
    digest = models.CharField(max_length=64, blank=True)
    # SHA-256 of what the sender wrote, to recognise the same text sent again and again (a loop).
    body_digest = models.CharField(max_length=64, blank=True)
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=250, blank=True)
    # The decoded text, so agents can read a mail that became no ticket without the raw file.
    text = models.TextField(blank=True)
    size = models.PositiveIntegerField(default=0)
    raw = models.FileField(upload_to="inbound/%Y/%m/", max_length=255, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    detail = models.TextField(blank=True)
    ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField()
    # An agent looked at a mail that needed attention and dealt with it.
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "message_id", "digest"],
                condition=~models.Q(message_id=""),
                name="inbound_email_once_per_message",
            )
        ]
        indexes = [models.Index(fields=["organization", "sender", "received_at"])]

    def __str__(self):
        return f"{self.sender}: {self.subject}"


class TicketParticipant(models.Model):
    """Someone besides the customer in a ticket's conversation (a colleague, a family member).

    They joined by answering one of the desk's own messages (only someone the message reached
    knows its Message-ID) or were in copy; the desk's replies go to them too.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="participants")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "customer"], name="ticket_participant_once")
        ]

    def __str__(self):
        return f"{self.customer} in {self.ticket}"


class CannedReply(models.Model):
    """A prepared answer, written once per language, with placeholders for the customer.

    The body may use `{customer_name}`, `{agent_name}`, `{product}` and `{ticket_reference}`.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="canned_replies"
    )
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=120)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name_plural = _("canned replies")

    def __str__(self):
        return self.title


class CannedReplyTranslation(models.Model):
    reply = models.ForeignKey(CannedReply, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES)
    body = models.TextField(_("text"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reply", "language"], name="canned_reply_language_unique"
            )
        ]

    def __str__(self):
        return f"{self.reply} ({self.language})"


class DeskSettings(models.Model):
    """How the organisation's desk behaves: the rating survey, its delay, the mail identity."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="desk_settings"
    )
    rating_delay_minutes = models.PositiveIntegerField(
        _("ask for a rating this many minutes after solving"), default=24 * 60
    )
    rating_survey = models.ForeignKey(
        "surveys.Survey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    auto_close_days = models.PositiveSmallIntegerField(
        _("close solved tickets after this many days"), default=7
    )

    def __str__(self):
        return f"Desk settings of {self.organization}"


class TicketRating(models.Model):
    """The customer's answer to "How were you treated?" after a ticket was solved.

    The agent and team are copied when the request is sent, so a later reassignment does not
    move the rating to someone who did not do the work. The answer itself is a response to
    the organisation's rating survey, so it is counted with every other CSAT.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENT = "sent", _("Sent")
        ANSWERED = "answered", _("Answered")
        SKIPPED = "skipped", _("Not sent")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="ratings")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agent = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="ratings"
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="ratings"
    )
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    send_after = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    response = models.ForeignKey(
        "surveys.Response", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    follow_up = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "send_after"])]

    def __str__(self):
        return f"Rating of {self.ticket.reference}"
