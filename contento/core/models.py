"""The state of the installation's own machinery: which processes are alive, which periodic
jobs ran. Shared through the database, so every host of an installation sees the same."""

from django.db import models


class ProcessBeat(models.Model):
    """A long-running process (a task worker, a mail listener) saying it is alive.

    Each process writes its row every few seconds. A worker whose row stops moving is dead or
    hung: the tasks it was running are given to another worker (`contento.core.worker`), and
    `contento status`, the status page and /healthz show it.
    """

    class Kind(models.TextChoices):
        WORKER = "worker", "task worker"
        MAIL = "mail", "mail listener"

    process_id = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    lane = models.CharField(max_length=32, blank=True)
    queues = models.CharField(max_length=200, blank=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "lane", "host", "pid"]

    def __str__(self):
        return f"{self.kind} {self.lane} {self.host}:{self.pid}"


class PeriodicRun(models.Model):
    """One firing of a periodic job: the unique (name, slot) pair elects one scheduler.

    Every worker runs the scheduler; for each due slot they all try to insert its row and
    only the one that succeeds queues the job, so the desk's minute job runs once a minute
    however many workers and hosts there are.
    """

    name = models.CharField(max_length=200)
    slot = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="periodic_run_once_per_slot")
        ]

    def __str__(self):
        return f"{self.name} #{self.slot}"


class StoredFile(models.Model):
    """One file of the default storage (an attachment, a raw mail, an import), in the database.

    See contento.core.storage: every host of an installation sees the same files, and a file
    is written in the same transaction as the record that names it.
    """

    name = models.CharField(max_length=255, unique=True)
    content = models.BinaryField()
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name
