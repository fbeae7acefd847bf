"""Redis queues (RQ) that retry: every job gets retries with back-off, abandoned ones too.

RQ retries a job that raised only when the job asks for it, and a job whose worker was
killed sits in the started-job registry until a worker's ten-minute maintenance moves it to
the failed list, where it stays. Here every job is created with `Retry` (the same schedule
as the database queue), and the workers clean the registries every few seconds
(`clean_registries`), which puts an abandoned job back in its queue while it has tries left.
"""

import logging

import django_rq
from django_rq.queues import DjangoRQ
from rq import Retry
from rq.registry import StartedJobRegistry

from contento.core.worker import MAX_ATTEMPTS, backoff

log = logging.getLogger("contento.worker")


class RetryingQueue(DjangoRQ):
    """A django-rq queue whose jobs are retried MAX_ATTEMPTS - 1 times with back-off."""

    def create_job(self, *args, **kwargs):
        if kwargs.get("retry") is None:
            kwargs["retry"] = Retry(
                max=MAX_ATTEMPTS - 1, interval=[backoff(n) for n in range(1, MAX_ATTEMPTS)]
            )
        return super().create_job(*args, **kwargs)


def clean_registries(queue_names) -> None:
    """Requeue the jobs of workers that died (their heartbeat expired), or fail them."""
    for name in queue_names:
        queue = django_rq.get_queue(name)
        StartedJobRegistry(queue=queue).cleanup()
