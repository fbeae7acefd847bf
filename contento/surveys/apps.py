from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from contento.surveys.navigation import SurveyPage, register


class SurveysConfig(AppConfig):
    name = "contento.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self):
        register(SurveyPage("responses", _("Responses"), "surveys:responses"))
        from contento.surveys import localize  # noqa: PLC0415 - models are ready only now

        localize.connect_signals()
