"""Invitations are emailed by the background worker, through the database queue or Redis."""

import os
import uuid

import pytest
from django.core import mail
from django.core.management import call_command

from contento.core.worker import MAX_ATTEMPTS
from contento.customers.actions import do_create_customer
from contento.customers.gdpr import do_erase_customer
from contento.surveys.actions import do_invite_customers
from contento.surveys.models import Invitation
from contento.surveys.tasks import send_invitation


@pytest.fixture
def customers(personas):
    return [
        do_create_customer(personas.org, name="Lucía", email="lucia@example.net", language="es"),
        do_create_customer(personas.org, name="Nguyễn Lan", email="lan@example.net", language="vi"),
        do_create_customer(personas.org, name="No Mail", email="", language="en"),
    ]


@pytest.mark.django_db(transaction=True)
def test_database_worker_sends_invitations_once(live_survey, customers):
    created = do_invite_customers(live_survey, customers)
    assert len(created) == 2  # the customer without an email is skipped
    assert len(mail.outbox) == 0  # nothing is sent in the request
    call_command("worker", burst=True)
    assert sorted(m.to[0] for m in mail.outbox) == ["lan@example.net", "lucia@example.net"]
    spanish = next(m for m in mail.outbox if m.to == ["lucia@example.net"])
    assert "Encuesta de clientes" in spanish.subject
    assert f"/s/{live_survey.code}/p/" in spanish.body
    assert "?lang=es" in spanish.body
    vietnamese = next(m for m in mail.outbox if m.to == ["lan@example.net"])
    assert "?lang=en" in vietnamese.body  # the survey has no Vietnamese: default language
    assert set(Invitation.objects.values_list("status", flat=True)) == {"sent"}
    # Inviting again and re-running a task does not send anything twice.
    assert do_invite_customers(live_survey, customers) == []
    assert send_invitation.call(str(created[0].code)) == "skipped"
    call_command("worker", burst=True)
    assert len(mail.outbox) == 2


def test_a_draft_survey_cannot_be_sent(survey, customers):
    with pytest.raises(ValueError, match="Publish"):
        do_invite_customers(survey, customers)


def test_unknown_invitation_is_skipped(db):
    assert send_invitation.call(str(uuid.uuid4())) == "skipped"


REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
QUEUES = ["mail", "default", "analysis"]


@pytest.fixture
def redis_queues(settings):
    """This machine's Redis as the task queue, as REDIS_URL would configure it."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis server at {REDIS_URL}")
    import django_rq
    from django_tasks import task_backends

    settings.RQ_QUEUES = {
        name: {"URL": REDIS_URL, "QUEUE_CLASS": "contento.core.rq.RetryingQueue"} for name in QUEUES
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": QUEUES}}
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "django_rq", "django_tasks_rq"]
    task_backends._settings = None  # re-read TASKS
    queues = {name: django_rq.get_queue(name) for name in QUEUES}
    for queue in queues.values():
        queue.empty()
    yield queues
    for queue in queues.values():
        queue.empty()
    task_backends._settings = None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_redis_queue_runs_a_real_task(redis_queues, live_survey, customers):
    """Enqueue through django-tasks-rq into this machine's Redis and run it with an RQ worker."""
    from django_tasks_rq import Job
    from rq import SimpleWorker

    queue = redis_queues["mail"]
    created = do_invite_customers(live_survey, customers)
    assert queue.count == 2  # invitations are mail: they go to the mail queue
    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    assert sorted(m.to[0] for m in mail.outbox) == ["lan@example.net", "lucia@example.net"]
    assert Invitation.objects.get(code=created[0].code).status == "sent"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_redis_jobs_retry_and_abandoned_ones_come_back(redis_queues, live_survey, customers):
    # Imported here: django-rq refuses to load without the RQ_QUEUES of a Redis setup.
    from rq.job import JobStatus
    from rq.registry import StartedJobRegistry

    from contento.core.rq import clean_registries

    queue = redis_queues["mail"]
    do_invite_customers(live_survey, customers)
    job = queue.jobs[0]
    assert job.retries_left == MAX_ATTEMPTS - 1
    assert job.retry_intervals[0] == 10
    # A worker took the job and was killed: its registry entry expired long ago.
    queue.remove(job.id)
    job.set_status(JobStatus.STARTED)
    registry = StartedJobRegistry(queue=queue)
    queue.connection.zadd(registry.key, {f"{job.id}:dead-worker": 1})
    clean_registries(["mail"])
    job.refresh()
    assert job.retries_left == MAX_ATTEMPTS - 2  # it is tried again, not dropped
    assert job.get_status() in (JobStatus.QUEUED, JobStatus.SCHEDULED)


def test_an_invitation_is_not_sent_to_a_customer_who_withdrew_consent_or_was_erased(
    live_survey, customers
):

    [first, second] = do_invite_customers(live_survey, customers)
    withdrawn = first.customer
    withdrawn.contact_consent = False
    withdrawn.save()
    do_erase_customer(second.customer)
    assert send_invitation.call(str(first.code)) == "skipped"
    assert send_invitation.call(str(second.code)) == "skipped"
    statuses = set(Invitation.objects.values_list("status", flat=True))
    assert statuses == {Invitation.Status.FAILED}
    assert len(mail.outbox) == 0
