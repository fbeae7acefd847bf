from django.core.management.base import BaseCommand

from contento.insights.actions import do_check_survey_drops
from contento.surveys.models import Survey


class Command(BaseCommand):
    help = "Check every live survey for a significant drop and alert its owner (for cron)."

    def handle(self, **options):
        total = 0
        for survey in Survey.objects.filter(status=Survey.Status.LIVE).select_related(
            "organization"
        ):
            total += len(do_check_survey_drops(survey))
        self.stdout.write(f"{total} new alert(s).")
