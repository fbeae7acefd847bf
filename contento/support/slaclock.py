"""The SLA clock: a ticket's first-response, update and resolution targets from its history.

Pure computation, no Django: give `compute_sla_state` the team's business `Calendar`, the
policy's `SlaTargets`, when the ticket was created, its history as `Event`s and the moment to
evaluate at; it returns an `SlaState` with, for each target, when it is due, whether it was met
or breached, how many business minutes are left and whether to warn.

The rules follow Zammad's SLAs where it has one: its admin guide
(https://admin-docs.zammad.org/en/latest/manage/slas/how-do-they-work.html) and its user guide
on ticket states (https://user-docs.zammad.org/en/latest/basics/service-ticket/settings/state.html).

1. All targets are counted in business minutes of the calendar: a ticket that arrives at 16:30
   on Friday with a 60-minute first-response target in a 09:00–17:00 Monday-to-Friday calendar
   is due at 09:30 on Monday (admin guide: "Zammad calculates ticket escalations based on your
   business hours").
2. First response: the clock starts when the ticket is created and is met by the first agent
   reply the customer can see (an email, a call). Internal notes are not replies; leave them
   out of the events (admin guide: first response is the time frame "for the first response
   (external call, email)", "calculated from the ticket creation").
3. Update: each customer message that is not yet answered wants an agent reply within
   `update_minutes`. The clock starts at the earliest unanswered customer message (later ones
   do not restart it) and the next agent reply meets it. Messages that arrive before the first
   agent reply belong to the first-response target when there is one, so one message is not
   counted twice; without a first-response target they start an update clock. (Admin guide:
   update time is the frame "for every following response", counted from ticket creation if no
   first response is set, else after the first response; this is the flavour where the clock
   runs from the customer's message to the agent's answer.)
4. Resolution: the clock starts when the ticket is created and stops when the ticket is solved
   or closed; reopening the ticket resumes it where it stopped, so the time the ticket spent
   solved is not counted, and a breach before solving stays a breach (admin guide: solution
   time, the frame "for solving the problem (status: closed)").
5. Pauses: while the ticket's status is one of `pausing_statuses` (by default
   ``pending_customer``, waiting on the customer) no clock runs, and every due time moves by
   the paused business minutes (user guide: "tickets in a pending state do not accumulate time
   toward their SLA limits"). Clocks are likewise frozen while the ticket is solved or closed.
   ``on_hold`` (waiting on a third party) counts, unless added to `pausing_statuses`.
   A reply still meets its target when it is sent while the clock is paused.
6. Status changes only come from `StatusChange` events: a customer message on a pending or
   solved ticket does not reopen it by itself; record the reopening as its own event (at the
   same moment, after the message), as the desk does.
7. A target is breached when its clock reached the target and then kept running (even through
   closed hours): due at 17:00 on Friday and answered at 09:00 on Monday is late; answered or
   paused exactly at the due moment is on time. A breach is not undone by a pause or a reply.
8. Warning: a running clock that is not breached warns once its remaining business minutes
   are at most the threshold: a fraction of the target (0.2 = warn when 80% is used, the
   ``SlaPolicy.warning_percent`` of 80) or a fixed `timedelta` of business time.
9. Events after `now` are ignored, so the state can be evaluated as of any past moment.

All datetimes must be aware; those returned are in UTC (see `businesshours` for why).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from contento.support.businesshours import (
    Calendar,
    add_business_time,
    business_time_between,
)

__all__ = [
    "PAUSING_STATUSES",
    "STOPPED_STATUSES",
    "AgentReply",
    "CustomerMessage",
    "Event",
    "SlaState",
    "SlaTargets",
    "StatusChange",
    "TargetState",
    "compute_sla_state",
    "event_from_dict",
    "event_to_dict",
]

#: Statuses that pause every SLA clock by default: the ticket waits on the customer.
PAUSING_STATUSES: frozenset[str] = frozenset({"pending_customer"})
#: Statuses that stop the clocks; the resolution target is met on entering one.
STOPPED_STATUSES: frozenset[str] = frozenset({"solved", "closed"})
#: The status of a ticket before any `StatusChange`.
INITIAL_STATUS = "new"

_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class CustomerMessage:
    """The customer wrote to the ticket (an inbound email, a web message, a call from them)."""

    kind: ClassVar[str] = "customer_message"
    at: datetime


@dataclass(frozen=True)
class AgentReply:
    """An agent answered the customer publicly (an outbound email or call, not a note)."""

    kind: ClassVar[str] = "agent_reply"
    at: datetime


@dataclass(frozen=True)
class StatusChange:
    """The ticket's status became `status` (new, open, pending_customer, on_hold, solved…)."""

    kind: ClassVar[str] = "status"
    at: datetime
    status: str


Event = CustomerMessage | AgentReply | StatusChange


def event_to_dict(event: Event) -> dict[str, str]:
    """Return `event` as JSON-ready data: {"kind", "at" (ISO 8601), "status" for changes}."""
    data = {"kind": event.kind, "at": event.at.isoformat()}
    if isinstance(event, StatusChange):
        data["status"] = event.status
    return data


def event_from_dict(data: Mapping[str, Any]) -> Event:
    """Return the event `event_to_dict` wrote; raise ValueError on anything else."""
    try:
        at = datetime.fromisoformat(data["at"])
        kind = data["kind"]
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"Not an SLA event: {data!r}.") from error
    if at.utcoffset() is None:
        raise ValueError(f"The event time {data['at']!r} has no time zone.")
    if kind == CustomerMessage.kind:
        return CustomerMessage(at)
    if kind == AgentReply.kind:
        return AgentReply(at)
    if kind == StatusChange.kind and isinstance(data.get("status"), str):
        return StatusChange(at, data["status"])
    raise ValueError(f"Not an SLA event: {data!r}.")


@dataclass(frozen=True)
class SlaTargets:
    """An SLA policy's targets in business minutes; None means no such target."""

    first_response_minutes: float | None = None
    update_minutes: float | None = None
    resolution_minutes: float | None = None

    def __post_init__(self) -> None:
        for name in ("first_response_minutes", "update_minutes", "resolution_minutes"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"{name} must be a positive number of minutes, not {value!r}.")


@dataclass(frozen=True)
class TargetState:
    """Where one target's clock stands at the evaluation moment.

    `started_at` is when the clock started (None: it has not, such as an update target with no
    customer message waiting). `due_at` is set only while the clock runs, and may be in the
    past when breached; it is None once met, while paused or while the ticket is solved.
    `remaining_business_minutes` is the target minus the business time counted so far (until
    `met_at` when met), negative when overdue. `warning_at` is when the warning starts (only
    while running), so a job can be scheduled for it.
    """

    target_minutes: float
    started_at: datetime | None = None
    due_at: datetime | None = None
    met_at: datetime | None = None
    breached: bool = False
    breached_at: datetime | None = None
    paused: bool = False
    remaining_business_minutes: float | None = None
    warning: bool = False
    warning_at: datetime | None = None


@dataclass(frozen=True)
class SlaState:
    """The state of a ticket's SLA targets; a target is None when the policy has none.

    For the update target the state is that of the latest customer message cycle;
    `update_breaches` counts every cycle that breached, the current one included.
    """

    first_response: TargetState | None
    update: TargetState | None
    resolution: TargetState | None
    update_breaches: int = 0

    @property
    def targets(self) -> tuple[TargetState, ...]:
        """Return the states of the targets the policy has."""
        states = (self.first_response, self.update, self.resolution)
        return tuple(state for state in states if state is not None)

    @property
    def next_due_at(self) -> datetime | None:
        """Return the earliest due time of a running clock (None when none runs)."""
        return min((s.due_at for s in self.targets if s.due_at is not None), default=None)

    @property
    def next_warning_at(self) -> datetime | None:
        """Return the earliest warning time of a running clock."""
        return min((s.warning_at for s in self.targets if s.warning_at is not None), default=None)

    @property
    def breached(self) -> bool:
        """Whether any target is breached."""
        return any(s.breached for s in self.targets)

    @property
    def breached_at(self) -> datetime | None:
        """Return when the first current breach happened."""
        return min((s.breached_at for s in self.targets if s.breached_at), default=None)

    @property
    def warning(self) -> bool:
        """Whether any target warns."""
        return any(s.warning for s in self.targets)

    @property
    def paused(self) -> bool:
        """Whether a clock that would otherwise run is paused."""
        return any(s.paused for s in self.targets)


def compute_sla_state(
    calendar: Calendar,
    targets: SlaTargets,
    created_at: datetime,
    events: Iterable[Event],
    now: datetime,
    *,
    pausing_statuses: Iterable[str] = PAUSING_STATUSES,
    warning: float | timedelta = 0.2,
) -> SlaState:
    """Return the SLA state at `now` of a ticket created at `created_at` with `events`.

    `events` are the ticket's history in chronological order (events at the same moment keep
    their order); the status is ``new`` until the first `StatusChange`. See the module
    docstring for the rules. `warning` is a fraction of each target (0.2 warns in the last
    20%) or a fixed business time. Raise ValueError for naive datetimes, events before the
    ticket was created, `now` before it, or a calendar that never opens while a clock runs.
    """
    # Work in UTC: Python compares datetimes sharing a ZoneInfo by wall time, which misorders
    # the repeated hour of a fall-back night.
    created_at = _utc(created_at, "created_at")
    now = _utc(now, "now")
    if now < created_at:
        raise ValueError("Cannot evaluate an SLA before the ticket was created.")
    if isinstance(warning, timedelta):
        if warning < timedelta(0):
            raise ValueError("The warning threshold cannot be negative.")
    elif not 0 <= warning <= 1:
        raise ValueError(f"A warning fraction is between 0 and 1, not {warning!r}.")
    pausing = frozenset(pausing_statuses)
    history = []
    for event in events:
        at = _utc(event.at, "An event's time")
        if at < created_at:
            raise ValueError(f"{event!r} happened before the ticket was created.")
        if at <= now:
            history.append(replace(event, at=at))
    history.sort(key=lambda event: event.at)  # stable: same-moment events keep their order

    timeline = _Timeline(calendar, created_at, now, history, pausing, warning)

    first_reply_at = next((e.at for e in history if isinstance(e, AgentReply)), None)
    first_response = None
    if targets.first_response_minutes is not None:
        first_response = timeline.clock(targets.first_response_minutes, created_at, first_reply_at)

    update = None
    update_breaches = 0
    if targets.update_minutes is not None:
        cycles = _update_cycles(history, wait_for_first_reply=first_response is not None)
        update = TargetState(target_minutes=targets.update_minutes)
        for start, answered_at in cycles:
            update = timeline.clock(targets.update_minutes, start, answered_at)
            update_breaches += update.breached

    resolution = None
    if targets.resolution_minutes is not None:
        resolution = timeline.clock(targets.resolution_minutes, created_at, timeline.solved_at)

    return SlaState(first_response, update, resolution, update_breaches)


def _utc(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (with a time zone).")
    return moment.astimezone(UTC)


def _update_cycles(
    history: list[Event], *, wait_for_first_reply: bool
) -> list[tuple[datetime, datetime | None]]:
    """Return (first unanswered customer message, answering reply or None) pairs."""
    cycles: list[tuple[datetime, datetime | None]] = []
    waiting_since: datetime | None = None
    replied = not wait_for_first_reply
    for event in history:
        if isinstance(event, CustomerMessage) and replied and waiting_since is None:
            waiting_since = event.at
        elif isinstance(event, AgentReply):
            replied = True
            if waiting_since is not None:
                cycles.append((waiting_since, event.at))
                waiting_since = None
    if waiting_since is not None:
        cycles.append((waiting_since, None))
    return cycles


class _Timeline:
    """The ticket's statuses over [created_at, now], and clocks evaluated against them."""

    def __init__(
        self,
        calendar: Calendar,
        created_at: datetime,
        now: datetime,
        history: list[Event],
        pausing: frozenset[str],
        warning: float | timedelta,
    ) -> None:
        self.calendar = calendar
        self.now = now
        self.pausing = pausing
        self.warning = warning
        # (start, end, status) segments covering [created_at, now].
        self.segments: list[tuple[datetime, datetime, str]] = []
        status, since = INITIAL_STATUS, created_at
        for event in history:
            if isinstance(event, StatusChange):
                if event.at > since:
                    self.segments.append((since, event.at, status))
                status, since = event.status, event.at
        self.segments.append((since, now, status))
        self.status = status
        # The resolution target is met when the ticket last entered a stopped status.
        self.solved_at: datetime | None = None
        if status in STOPPED_STATUSES:
            self.solved_at = since
            for start, _end, segment_status in reversed(self.segments):
                if segment_status not in STOPPED_STATUSES:
                    break
                self.solved_at = start

    def runs(self, start: datetime, stop: datetime) -> list[tuple[datetime, datetime]]:
        """Return the spans of [start, stop] when the clocks run (not paused nor stopped)."""
        spans = []
        for a, b, status in self.segments:
            if status in self.pausing or status in STOPPED_STATUSES:
                continue
            a, b = max(a, start), min(b, stop)
            if b > a:
                spans.append((a, b))
        return spans

    def clock(self, minutes: float, start: datetime, met_at: datetime | None) -> TargetState:
        """Return the state of a `minutes` target whose clock started at `start`."""
        calendar, now = self.calendar, self.now
        target = timedelta(minutes=minutes)
        threshold = self.warning if isinstance(self.warning, timedelta) else target * self.warning
        warn_after = max(target - threshold, timedelta(0))
        running = met_at is None and not (
            self.status in self.pausing or self.status in STOPPED_STATUSES
        )
        elapsed = timedelta(0)
        reached_at: datetime | None = None  # when the counted time first reached the target
        warn_at: datetime | None = None
        breached = False
        for a, b in self.runs(start, met_at or now):
            length = business_time_between(calendar, a, b)
            if warn_at is None and elapsed + length >= warn_after:
                warn_at = min(b, add_business_time(calendar, a, warn_after - elapsed))
            if reached_at is None and elapsed + length >= target:
                reached_at = min(b, add_business_time(calendar, a, target - elapsed))
            # Breached: the clock kept running (real time, open or not) after reaching it.
            if reached_at is not None and b > reached_at:
                breached = True
            elapsed += length
        remaining = (target - elapsed) / _MINUTE
        if not running:
            return TargetState(
                target_minutes=minutes,
                started_at=start,
                met_at=met_at,
                breached=breached,
                breached_at=reached_at if breached else None,
                paused=met_at is None and self.status in self.pausing,
                remaining_business_minutes=remaining,
            )
        # The clock runs on from now: project when it reaches the warning and the target.
        if reached_at is None:
            reached_at = add_business_time(calendar, now, target - elapsed)
        if warn_at is None:
            warn_at = add_business_time(calendar, now, warn_after - elapsed)
        return TargetState(
            target_minutes=minutes,
            started_at=start,
            due_at=reached_at,
            breached=breached,
            breached_at=reached_at if breached else None,
            remaining_business_minutes=remaining,
            warning=not breached and target - elapsed <= threshold,
            warning_at=warn_at,
        )
