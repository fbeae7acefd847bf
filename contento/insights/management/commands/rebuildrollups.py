from django.core.management.base import BaseCommand

from contento.surveys.models import Survey
from contento.surveys.rollups import rebuild


class Command(BaseCommand):
    help = "Recount the dashboards' score counts from the answers (after a restore or import)."

    def add_arguments(self, parser):
        parser.add_argument("--survey", help="Only this survey (its code).")

    def handle(self, survey, **options):
        surveys = Survey.objects.all()
        if survey:
            surveys = surveys.filter(code=survey)
        for item in surveys.iterator():
            written = rebuild(item)
            self.stdout.write(f"{item.title}: {written} counts")
