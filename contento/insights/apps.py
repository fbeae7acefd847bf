from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from contento.surveys.navigation import SurveyPage, register

# This app's pages about one survey, in the survey's navigation (surveys cannot know them).
SURVEY_PAGES = (
    SurveyPage("trend", _("Trend and control chart"), "insights:survey_trend", args=("nps",)),
    SurveyPage("drivers", _("Key drivers"), "insights:drivers"),
    SurveyPage("themes", _("Themes in comments"), "insights:themes"),
    SurveyPage("gaps", _("Expectation gaps"), "insights:gaps", kinds=("expectation",)),
    SurveyPage("kano", _("Kano"), "insights:kano", kinds=("kano",)),
)


class InsightsConfig(AppConfig):
    name = "contento.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self):
        register(*SURVEY_PAGES)
