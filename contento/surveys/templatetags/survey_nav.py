"""The navigation between a survey's dashboard and the pages other apps add about it."""

from django import template

from contento.surveys.navigation import pages_for

register = template.Library()


@register.inclusion_tag("surveys/includes/survey_nav.html")
def survey_nav(survey, current=""):
    """Link the survey's dashboard and the pages registered in `contento.surveys.navigation`.

    `current` is the key of the page shown, which is not linked; "dashboard" leaves out the
    link back to the dashboard. One query: which kinds of question the survey has.
    """
    return {
        "survey": survey,
        "current": current,
        "links": [(page.key, page.label, page.url(survey)) for page in pages_for(survey)],
    }
