"""Background work of distribution: the minute tick that sends campaigns and reminders."""

from django_tasks import task

from contento.core import queues
from contento.distribution import campaigns


@task(queue_name=queues.MAIL)
def campaign_tick() -> dict:
    """Send the invitations and reminders that are due (the scheduler runs it every minute;
    a second run at once finds nothing left to send)."""
    return campaigns.tick()
