"""Tasks the background-work tests run (tasks must live at a module's top level)."""

from django.core.cache import cache
from django_tasks import task

from contento.core import queues


@task()
def flaky(key: str, failures: int) -> int:
    """Fail `failures` times, then succeed; return the attempt that succeeded."""
    attempt = cache.get_or_set(key, 0) + 1
    cache.set(key, attempt)
    if attempt <= failures:
        raise RuntimeError(f"attempt {attempt} fails")
    return attempt


@task()
def remember(key: str, value: str) -> str:
    cache.set(key, (cache.get(key) or []) + [value])
    return value


@task(queue_name=queues.MAIL)
def remember_mail(key: str, value: str) -> str:
    return remember.call(key, value)


@task(queue_name=queues.ANALYSIS)
def remember_analysis(key: str, value: str) -> str:
    return remember.call(key, value)


@task()
def tick() -> str:
    return "tick"


@task()
def slow_append(path: str, seconds: float) -> str:
    """Wait, then append a line to a file: evidence across processes of a completed run."""
    import time

    time.sleep(seconds)
    with open(path, "a") as handle:
        handle.write("done\n")
    return "done"


@task()
def batch_a() -> None:
    """A batch task: does whatever its rows say is waiting (here nothing)."""


@task()
def batch_b() -> None:
    """Another batch task."""
