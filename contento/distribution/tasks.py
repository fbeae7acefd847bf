"""Background work of distribution: the minute tick that sends campaigns and reminders."""

from django_tasks import task

from contento.core import queues
from contento.distribution import campaigns, triggers


@task(queue_name=queues.MAIL)
def campaign_tick() -> dict:
    """Schedule the invitations of the triggers' new events, then send the invitations and
    reminders that are due (the scheduler runs it every minute; a second run at once finds
    nothing left to do)."""
    scheduled = triggers.scan_all()
    return {"triggered": scheduled, **campaigns.tick()}
