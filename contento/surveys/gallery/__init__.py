"""Ready-made surveys in six languages, each built for the analysis it is known for.

The definitions are JSON files beside this module (the format of docs/survey-definition.md);
`TEMPLATES` says what each one is for and which pages analyse it.
"""

import json
from dataclasses import dataclass
from importlib import resources

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Template:
    key: str
    name: str | Promise
    purpose: str | Promise
    analysis: str | Promise

    def definition(self, default_language: str = "en") -> dict:
        """The template's definition, with `default_language` as the survey's own."""
        text = resources.files(__package__).joinpath(f"{self.key}.json").read_text("utf-8")
        document = json.loads(text)
        if default_language in document["languages"]:
            document["default_language"] = default_language
        return document


TEMPLATES = (
    Template(
        "relationship-nps",
        _("Relationship NPS"),
        _(
            "How loyal your customers are and why: NPS, what drives it, and what"
            " detractors would fix first."
        ),
        _(
            "NPS with its interval and trend, key drivers of the four ratings,"
            " themes in the reasons."
        ),
    ),
    Template(
        "csat-purchase",
        _("CSAT after a purchase"),
        _("Right after an order: satisfaction, the product against expectations, the delivery."),
        _("CSAT with its interval, by product and channel in the overview, comments by theme."),
    ),
    Template(
        "ces-support",
        _("CES after support"),
        _(
            "After a ticket is solved: how easy it was, whether it was resolved,"
            " and in how many contacts."
        ),
        _("CES with its interval; the effort comments of those who found it hard."),
    ),
    Template(
        "servqual",
        _("SERVQUAL: expectations and perceptions"),
        _(
            "The five dimensions of service quality, each asked as what customers"
            " expected and what they got."
        ),
        _("Expectation–perception gaps per dimension with their intervals, and overall CSAT."),
    ),
    Template(
        "kano",
        _("Kano: which features delight"),
        _("For each feature, the functional and dysfunctional question pair."),
        _("Kano categories with the Better and Worse coefficients of each feature."),
    ),
    Template(
        "product-market-fit",
        _("Product-market fit"),
        _("The Sean Ellis question: how disappointed customers would be without your product."),
        _(
            "The share of very disappointed customers, against the usual mark of 40 per cent,"
            " and their reasons."
        ),
    ),
    Template(
        "exit",
        _("Exit survey"),
        _(
            "When a customer leaves: the main reason, their satisfaction and what"
            " would bring them back."
        ),
        _("Reasons for leaving, their satisfaction, and what would win them back."),
    ),
)
BY_KEY = {template.key: template for template in TEMPLATES}
