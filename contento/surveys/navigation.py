"""The pages about one survey that apps above surveys add, linked from its dashboard.

The surveys app cannot know those apps (they sit above it), so each registers its pages when
it is ready (its `AppConfig.ready()`), as `django.contrib.admin` is told of each model. The
dashboard and every registered page show the same navigation: ``{% load survey_nav %}`` and
``{% survey_nav survey "<page key>" %}`` ("dashboard" on the dashboard itself).
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class SurveyPage:
    """A page about one survey, offered in its navigation.

    `url_name` is the page's URL name; it takes the survey's code, then `args`. A page with
    `kinds` is offered only for surveys with a question of one of those kinds (gaps need
    expectation questions); one without, for every survey.
    """

    key: str
    label: str | Promise
    url_name: str
    args: tuple = ()
    kinds: tuple[str, ...] = ()

    def url(self, survey) -> str:
        """Return this page's address for the survey."""
        return reverse(self.url_name, args=[survey.code, *self.args])


_pages: dict[str, SurveyPage] = {}


def register(*pages: SurveyPage) -> None:
    """Offer these pages in every survey's navigation, after those registered before.

    Registering a key again replaces its page, in place.
    """
    for page in pages:
        _pages[page.key] = page


def pages_for(survey) -> list[SurveyPage]:
    """Return the pages offered for this survey, in the order they were registered.

    One query, which kinds of question the survey has, when any page depends on them.
    """
    pages = list(_pages.values())
    wanted = sorted({kind for page in pages for kind in page.kinds})
    present: set[str] = set()
    if wanted:
        present = set(
            survey.questions.filter(kind__in=wanted)
            .order_by()
            .values_list("kind", flat=True)
            .distinct()
        )
    return [page for page in pages if not page.kinds or present.intersection(page.kinds)]
