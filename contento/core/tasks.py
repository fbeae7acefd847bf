"""Background housekeeping of the installation itself."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from contento.core.models import PeriodicRun, ProcessBeat

KEEP_DAYS = 7


@task()
def housekeeping() -> dict:
    """Forget scheduler slots and stopped processes older than a week."""
    before = timezone.now() - timedelta(days=KEEP_DAYS)
    runs, _ = PeriodicRun.objects.filter(created_at__lt=before).delete()
    beats, _ = ProcessBeat.objects.filter(beat_at__lt=before).delete()
    return {"periodic_runs": runs, "processes": beats}
