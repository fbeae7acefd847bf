from django.core.management.base import BaseCommand

from contento.insights.models import ReportSubscription
from contento.insights.tasks import send_weekly_report


class Command(BaseCommand):
    help = "Queue this week's overview email for every subscribed member (run weekly from cron)."

    def handle(self, **options):
        count = 0
        for subscription_id in ReportSubscription.objects.values_list("pk", flat=True):
            send_weekly_report.enqueue(subscription_id)
            count += 1
        self.stdout.write(f"{count} report(s) queued.")
