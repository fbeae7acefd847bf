"""The charts of the insight pages and the table behind each, from the pages' results.

Each function takes what a page's compute function returned and gives the page's charts as
`contento.core.downloads.Download`s: the SVG the page shows, and the table its CSV holds.
Points and rows are named by what customers read (a question's text, an item's label),
never by a question's internal key.
"""

from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from contento import stats
from contento.core.charts import PALETTE, column_chart, interval_chart, quadrant_chart
from contento.core.downloads import Download
from contento.insights.comments import ThemesPage
from contento.insights.drivers import DriversPage
from contento.insights.gaps import GapsPage
from contento.insights.kano import KanoPage
from contento.insights.loyalty import LoyaltyPage
from contento.insights.overview import OverviewPage
from contento.insights.slices import Slice

# The axis of each metric as the overview shows it: NPS points, CSAT in percent, CES points.
SCALES = {"nps": (-100, 100), "csat": (0, 100), "ces": stats.CES_SCALE}
SLICES_CHARTED = 20  # the chart shows the largest values; the table and CSV show them all
QUADRANT_COLOURS = {
    stats.CONCENTRATE_HERE: "bad",
    stats.KEEP_UP_THE_GOOD_WORK: "good",
    stats.LOW_PRIORITY: "neutral",
    stats.POSSIBLE_OVERKILL: "default",
}
TONE_COLOURS = {
    "unknown": PALETTE["default"],
    "negative": PALETTE["bad"],
    "positive": PALETTE["good"],
    "neutral": PALETTE["neutral"],
}


def _short(name: str, limit: int = 14) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _point(slice_: Slice, label: str) -> tuple:
    f = slice_.figure
    return (label, f.value if f else None, f.lower if f else None, f.upper if f else None)


def _figure_cells(slice_: Slice) -> list:
    f = slice_.figure
    return [f.value if f else None, f.lower if f else None, f.upper if f else None, slice_.n]


def overview(page: OverviewPage) -> list[Download]:
    """The metric by month with its control limits, and by the chosen dimension."""
    months, limits = page.trend.months, [m.limits for m in page.trend.months]
    lines = None
    if page.trend.method is not None:
        lines = {
            "centre": [lim.centre if lim else None for lim in limits],
            "lower": [lim.lower if lim else None for lim in limits],
            "upper": [lim.upper if lim else None for lim in limits],
        }
    trend = interval_chart(
        [_point(m, m.label) for m in months],
        title=page.title,
        y_range=SCALES[page.metric],
        lines=lines,
        flagged=[bool(lim and lim.drop) for lim in limits],
    )
    by_slice = interval_chart(
        [_point(s, _short(s.name)) for s in page.slices[:SLICES_CHARTED]],
        title=page.title,
        y_range=SCALES[page.metric],
    )
    return [
        Download(
            name=f"{page.metric}-by-month",
            svg=trend,
            header=["month", "value", "lower", "upper", "n", "lower_limit", "upper_limit", "drop"],
            rows=[
                [
                    m.label,
                    *_figure_cells(m),
                    m.limits.lower if m.limits else None,
                    m.limits.upper if m.limits else None,
                    m.limits.drop if m.limits else None,
                ]
                for m in months
            ],
        ),
        Download(
            name=f"{page.metric}-by-{page.dimension.replace(':', '-')}",
            svg=by_slice,
            header=[page.dimension, "value", "lower", "upper", "n"]
            + ["difference", "q", "significant", "name"],
            rows=[
                [
                    s.label,
                    *_figure_cells(s),
                    s.difference.value if s.difference else None,
                    s.difference.q_value if s.difference else None,
                    s.difference.significant if s.difference else None,
                    s.name,
                ]
                for s in page.slices
            ],
            chart="slice",
            # "language": the slice chart's name from before slices had a choice of dimension.
            aliases=("language",),
        ),
    ]


def drivers(page: DriversPage) -> list[Download]:
    """Importance against performance, one point per item, coloured by IPA quadrant."""
    result = page.result
    if result is None:
        return []
    chart = quadrant_chart(
        [(r.label, r.performance, r.percent, QUADRANT_COLOURS[r.quadrant]) for r in result.rows],
        title=str(_("Importance and performance")),
        x_label=str(_("Performance (mean rating)")),
        y_label=str(_("Importance (percent of explained variance)")),
        x_cut=result.ipa.performance_cut,
        y_cut=100 * result.ipa.importance_cut / (result.shapley.r_squared or 1),
    )
    return [
        Download(
            name="drivers",
            svg=chart,
            header=["item", "importance", "percent", "lower", "upper"]
            + ["relative_weight_percent", "performance", "quadrant"],
            rows=[
                [
                    r.label,
                    r.importance,
                    r.percent,
                    r.lower,
                    r.upper,
                    r.weight_percent,
                    r.performance,
                    r.quadrant,
                ]
                for r in result.rows
            ],
        )
    ]


def gaps(page: GapsPage) -> list[Download]:
    """Each measured item's gap with its interval, around the line of no gap."""
    measured = page.measured
    chart = None
    if measured:
        spread = max(max(abs(r.gap.lower), abs(r.gap.upper)) for r in measured if r.gap)
        chart = interval_chart(
            [(_short(r.label), r.gap.value, r.gap.lower, r.gap.upper) for r in measured if r.gap],
            title=str(_("Perception minus expectation")),
            y_range=(-max(spread, 1.0), max(spread, 1.0)),
            lines={"centre": [0.0] * len(measured)},
        )
    return [
        Download(
            name="gaps",
            svg=chart,
            header=["item", "expected", "perceived", "gap", "lower", "upper", "p", "n"],
            rows=[
                [r.label, g.expected, g.perceived, g.value, g.lower, g.upper, g.p_value, g.n]
                for r in measured
                if (g := r.gap)
            ],
        )
    ]


def kano(page: KanoPage) -> list[Download]:
    """Each feature's satisfaction if present against dissatisfaction if absent."""
    measured = page.measured
    chart = None
    if measured:
        chart = quadrant_chart(
            [(r.label, -r.feature.worse, r.feature.better, "default") for r in measured],
            title=str(_("Kano: satisfaction if present, dissatisfaction if absent")),
            x_label=str(_("Dissatisfaction if absent (|worse|)")),
            y_label=str(_("Satisfaction if present (better)")),
            x_cut=0.5,
            y_cut=0.5,
        )
    return [
        Download(
            name="kano",
            svg=chart,
            header=["feature", "n", "A", "O", "M", "I", "R", "Q", "category", "better", "worse"],
            rows=[
                [
                    r.label,
                    f.n,
                    f.attractive,
                    f.one_dimensional,
                    f.must_be,
                    f.indifferent,
                    f.reverse,
                    f.questionable,
                    f.category,
                    f.better,
                    f.worse,
                ]
                for r in page.rows
                if (f := r.feature)
            ],
        )
    ]


def loyalty(page: LoyaltyPage) -> list[Download]:
    """The outcome's rate by satisfaction level (with the logistic fit), and revenue."""
    rows = page.rows
    if not rows:
        return []
    fit = page.result.fit if page.result else None
    rate = interval_chart(
        [(str(r.level), r.rate.value, r.rate.lower, r.rate.upper) for r in rows],
        title=page.outcome_name,
        y_range=(0, 100),
        lines={str(_("logistic fit")): [r.fitted for r in rows]} if fit else None,
    )
    top = max((r.revenue.upper for r in rows if r.revenue), default=0.0) or 1.0
    revenue = interval_chart(
        [
            (
                str(r.level),
                r.revenue.value if r.revenue else None,
                r.revenue.lower if r.revenue else None,
                r.revenue.upper if r.revenue else None,
            )
            for r in rows
        ],
        title=str(_("Revenue per customer")),
        y_range=(0, round(top * 1.1, 2)),
    )
    name = f"loyalty-{page.outcome}"
    header = ["level", "customers", "successes", "rate", "lower", "upper"]
    header += ["revenue", "revenue_lower", "revenue_upper", "fitted_rate"]
    table = [
        [
            r.level,
            r.n,
            r.successes,
            r.rate.value,
            r.rate.lower,
            r.rate.upper,
            r.revenue.value if r.revenue else None,
            r.revenue.lower if r.revenue else None,
            r.revenue.upper if r.revenue else None,
            r.fitted,
        ]
        for r in rows
    ]
    return [
        Download(name=name, svg=rate, header=header, rows=table),
        Download(
            name=f"{name}-revenue",
            svg=revenue,
            header=header,
            rows=table,
            chart="revenue",
            csv_name=name,  # the same table as the rate's
        ),
    ]


def themes(page: ThemesPage) -> SafeString | None:
    """Comments per theme, each coloured by its tone (None before any theme has comments)."""
    if not (page.rows and page.report.comments):
        return None
    return column_chart(
        [(row.label, row.size) for row in page.rows],
        title=str(_("Comments per theme")),
        colors=[TONE_COLOURS[row.tone] for row in page.rows],
    )
