"""Background work of distribution: the minute tick that sends campaigns and reminders."""

from django.core.exceptions import ValidationError
from django_tasks import task

from contento.core import queues
from contento.distribution import campaigns, notices, triggers
from contento.distribution.models import Campaign


@task(queue_name=queues.MAIL)
def campaign_tick() -> dict:
    """Schedule the invitations of the triggers' new events, then send the invitations and
    reminders that are due (the scheduler runs it every minute; a second run at once finds
    nothing left to do)."""
    prepared = campaigns.prepare_queued() + campaigns.repeat_due()
    scheduled = triggers.scan_all()
    return {"prepared": prepared, "triggered": scheduled, **campaigns.tick()}


@task(queue_name=queues.DEFAULT)
def prepare_campaign(code: str) -> dict:
    """Write the deliveries of a campaign just sent (once: a second run finds it prepared)."""
    campaign = Campaign.objects.filter(code=code, status=Campaign.Status.QUEUED).first()
    if campaign is None:
        return {"prepared": False}
    try:
        return campaigns.do_queue_campaign(campaign)
    except ValidationError as error:
        return {"prepared": False, "error": " ".join(error.messages)}


@task(queue_name=queues.MAIL)
def send_notice(code: str) -> str:
    """Email one notice to its member, once."""
    return notices.send_notice(code)


@task()
def notice_digest() -> int:
    """Email each member the notices of their digest rules since the last digest."""
    return notices.send_digests()
