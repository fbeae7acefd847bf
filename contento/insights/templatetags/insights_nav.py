"""Navigation between the insight pages: the workspace's, and those of one survey."""

from django import template

register = template.Library()


@register.inclusion_tag("insights/includes/survey_nav.html")
def survey_insights_nav(survey, current=""):
    """Link a survey's insight pages, offering gaps and Kano only where it has such questions.

    `current` names the page shown ("trend", "drivers", "gaps", "kano"; "dashboard" leaves
    out the link back to the dashboard). One query: which special question kinds it has.
    """
    kinds = set(
        survey.questions.filter(kind__in=("expectation", "kano"))
        .order_by()
        .values_list("kind", flat=True)
        .distinct()
    )
    return {
        "survey": survey,
        "current": current,
        "has_gaps": "expectation" in kinds,
        "has_kano": "kano" in kinds,
    }
