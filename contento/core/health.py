"""The state of the background work, for `contento status`, the status page and /healthz.

For each queue: how many tasks wait, how long the oldest has waited, how many run, wait for
a retry, or failed for good (the dead letters). For each process: when it last said it was
alive. Then the problems an operator must act on: a queue whose oldest task waited past its
limit, a lane with work and no live worker, tasks that failed for good.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Case, Count, F, Min, Q, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from contento.core import queues as lanes
from contento.core.models import ProcessBeat
from contento.core.worker import LEASE_SECONDS

DEAD_WINDOW = timedelta(days=7)  # failed tasks younger than this are reported


@dataclass
class QueueState:
    name: str
    waiting: int = 0
    oldest_seconds: float | None = None
    running: int = 0
    retrying: int = 0
    dead: int = 0


@dataclass
class ProcessState:
    kind: str
    lane: str
    host: str
    pid: int
    started_at: object
    beat_at: object
    alive: bool


@dataclass
class Report:
    backend: str
    queues: list[QueueState] = field(default_factory=list)
    processes: list[ProcessState] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            "backend": self.backend,
            "ok": self.ok,
            "problems": self.problems,
            "queues": [vars(q) for q in self.queues],
            "processes": [
                {
                    "kind": p.kind,
                    "lane": p.lane,
                    "host": p.host,
                    "pid": p.pid,
                    "alive": p.alive,
                    "beat_at": p.beat_at.isoformat(),
                }
                for p in self.processes
            ],
        }


def report(now=None) -> Report:
    now = now or timezone.now()
    result = Report(backend=lanes.backend())
    if result.backend == "immediate":
        return result
    states = _database_queues(now) if result.backend == "database" else _redis_queues(now)
    result.queues = [states[name] for name in lanes.QUEUES]
    cutoff = now - timedelta(seconds=LEASE_SECONDS)
    recent = ProcessBeat.objects.filter(stopped_at__isnull=True, beat_at__gte=now - DEAD_WINDOW)
    result.processes = [
        ProcessState(b.kind, b.lane, b.host, b.pid, b.started_at, b.beat_at, b.beat_at >= cutoff)
        for b in recent
    ]
    live_lanes = {p.lane for p in result.processes if p.kind == "worker" and p.alive}
    for state in result.queues:
        limit = lanes.STALL_SECONDS[state.name]
        lane = lanes.lane_of(state.name)
        names = {"count": state.waiting, "queue": state.name, "lane": lane, "limit": limit}
        if state.waiting and lane not in live_lanes:
            result.problems.append(
                _(
                    "%(count)s task(s) wait in the %(queue)s queue and no %(lane)s worker is "
                    "alive: start `contento worker`."
                )
                % names
            )
        elif state.oldest_seconds is not None and state.oldest_seconds > limit:
            result.problems.append(
                _(
                    "The oldest task of the %(queue)s queue has waited %(seconds)s s (more "
                    "than %(limit)s s): the workers are stalled or overloaded."
                )
                % {**names, "seconds": int(state.oldest_seconds)}
            )
        if state.dead:
            result.problems.append(
                _(
                    "%(count)s task(s) of the %(queue)s queue failed for good this week (see "
                    "the task results in the admin)."
                )
                % {**names, "count": state.dead}
            )
    return result


def _database_queues(now) -> dict[str, QueueState]:
    never = get_date_max()  # how the queue stores "no delay"
    ready = Q(status=TaskResultStatus.READY)
    due = ready & (Q(run_after=never) | Q(run_after__lte=now))
    states = {name: QueueState(name) for name in lanes.QUEUES}
    rows = (
        DBTaskResult.objects.filter(
            Q(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
            | Q(status=TaskResultStatus.FAILED, finished_at__gte=now - DEAD_WINDOW)
        )
        .values("queue_name")
        .annotate(
            waiting=Count("id", filter=due),
            # A task waits since it was queued, or since its retry became due.
            oldest=Min(
                Case(When(run_after=never, then=F("enqueued_at")), default=F("run_after")),
                filter=due,
            ),
            running=Count("id", filter=Q(status=TaskResultStatus.RUNNING)),
            retrying=Count("id", filter=ready & Q(run_after__gt=now) & ~Q(run_after=never)),
            dead=Count("id", filter=Q(status=TaskResultStatus.FAILED)),
        )
    )
    for row in rows:
        state = states.get(row["queue_name"])
        if state is None:
            continue
        state.waiting, state.running = row["waiting"], row["running"]
        state.retrying, state.dead = row["retrying"], row["dead"]
        if row["oldest"] is not None:
            state.oldest_seconds = max((now - row["oldest"]).total_seconds(), 0.0)
    return states


def _redis_queues(now) -> dict[str, QueueState]:
    # Imported here: django-rq refuses to load without the RQ_QUEUES of a Redis setup.
    import django_rq
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

    states = {}
    for name in lanes.QUEUES:
        queue = django_rq.get_queue(name)
        state = QueueState(name, waiting=queue.count)
        first = queue.get_job_ids(0, 0)
        job = queue.fetch_job(first[0]) if first else None
        if job is not None and job.enqueued_at is not None:
            enqueued = job.enqueued_at
            if timezone.is_naive(enqueued):
                enqueued = enqueued.replace(tzinfo=timezone.utc)
            state.oldest_seconds = (now - enqueued).total_seconds()
        state.running = StartedJobRegistry(queue=queue).count
        state.retrying = ScheduledJobRegistry(queue=queue).count
        state.dead = FailedJobRegistry(queue=queue).count
        states[name] = state
    return states
