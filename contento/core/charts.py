"""Charts as inline SVG, drawn on the server: no JavaScript, no CDN, readable by screen readers.

Each chart carries a <title> and <desc>, and every bar its own <title> with the exact figure.
Figures are written as the reader's language writes numbers ("7,5" in French and Spanish).
"""

from collections.abc import Sequence
from html import escape

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from contento import stats

PALETTE = {"default": "#0b5cad", "good": "#1a7f37", "neutral": "#9a6700", "bad": "#b42318"}


def column_chart(
    bars: Sequence[tuple[str, float]],
    *,
    title: str,
    colors: Sequence[str] | None = None,
    width: int = 640,
    height: int = 220,
    every_label: int = 1,
) -> SafeString:
    """Return an SVG column chart of (label, value) pairs."""
    pad_left, pad_bottom, pad_top = 36, 28, 14
    plot_w, plot_h = width - pad_left - 8, height - pad_bottom - pad_top
    top = max((value for _label, value in bars), default=0) or 1
    step = plot_w / max(len(bars), 1)
    bar_w = max(step * 0.7, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f"<desc>{escape('; '.join(f'{label}: {_fmt(value)}' for label, value in bars))}</desc>",
    ]
    for tick in (0, 0.5, 1):
        y = pad_top + plot_h * (1 - tick)
        parts.append(
            f'<line x1="{pad_left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d7de"/>'
        )
        parts.append(
            f'<text x="{pad_left - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#57606a">{_fmt(top * tick)}</text>'
        )
    for index, (label, value) in enumerate(bars):
        x = pad_left + index * step + (step - bar_w) / 2
        h = plot_h * (value / top)
        color = (colors[index] if colors else None) or PALETTE["default"]
        parts.append(
            f'<rect x="{x:.1f}" y="{pad_top + plot_h - h:.1f}" width="{bar_w:.1f}" '
            f'height="{h:.1f}" '
            f'fill="{escape(color)}"><title>{escape(str(label))}: {_fmt(value)}</title></rect>'
        )
        if index % every_label == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - 10}" font-size="11" '
                f'text-anchor="middle" '
                f'fill="#1b1f24">{escape(str(label))}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above


def _fmt(value: float) -> str:
    """A figure as the active language writes it: whole, or with one decimal below 10."""
    places = 0 if float(value).is_integer() or abs(value) >= 10 else 1
    return number_format(round(value, places), places)


CATEGORY_COLOURS = {-1: "bad", 0: "neutral", 1: "good"}


def score_colors(kind: str, points: Sequence[int]) -> list[str]:
    """Return the colour of each score: detractors, passives and promoters for NPS, etc.

    The categories are `contento.stats`' (`stats.SCORE_CATEGORIES`); other kinds of score
    get the default colour.
    """
    category = stats.SCORE_CATEGORIES.get(kind)
    if category is None:
        return [PALETTE["default"]] * len(points)
    return [PALETTE[CATEGORY_COLOURS[category(p)]] for p in points]


def interval_chart(
    points: Sequence[tuple[str, float | None, float | None, float | None]],
    *,
    title: str,
    y_range: tuple[float, float],
    lines: dict[str, Sequence[float | None]] | None = None,
    flagged: Sequence[bool] | None = None,
    width: int = 640,
    height: int = 240,
) -> SafeString:
    """Return an SVG chart of estimates with their intervals, one per period or segment.

    `points` are (label, value, lower, upper); missing values leave a gap. `lines` draws
    reference lines such as a control chart's centre and limits; `flagged` marks points red.
    """
    pad_left, pad_bottom, pad_top = 40, 28, 14
    plot_w, plot_h = width - pad_left - 8, height - pad_bottom - pad_top
    low, high = y_range
    step = plot_w / max(len(points), 1)

    def y(value: float) -> float:
        value = min(max(value, low), high)
        return pad_top + plot_h * (1 - (value - low) / ((high - low) or 1))

    def x(index: int) -> float:
        return pad_left + index * step + step / 2

    desc = "; ".join(
        f"{label}: "
        + _("%(value)s (%(lower)s to %(upper)s)")
        % {"value": _fmt(v), "lower": _fmt(lo), "upper": _fmt(hi)}
        if v is not None and lo is not None
        else f"{label}: {_fmt(v) if v is not None else '—'}"
        for label, v, lo, hi in points
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title><desc>{escape(desc)}</desc>'
    ]
    for tick in (low, (low + high) / 2, high):
        parts.append(
            f'<line x1="{pad_left}" x2="{width - 8}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#d0d7de"/><text x="{pad_left - 4}" y="{y(tick) + 4:.1f}" font-size="11" '
            f'text-anchor="end" fill="#57606a">{_fmt(tick)}</text>'
        )
    styles = {"centre": "#57606a", "lower": "#b42318", "upper": "#1a7f37"}
    for name, series in (lines or {}).items():
        coords = [f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(series) if v is not None]
        if len(coords) > 1:
            parts.append(
                f'<polyline points="{" ".join(coords)}" fill="none" stroke-dasharray="4 3" '
                f'stroke="{styles.get(name, "#57606a")}"><title>{escape(name)}</title></polyline>'
            )
    for index, (label, value, lower, upper) in enumerate(points):
        cx = x(index)
        if value is not None:
            if lower is not None and upper is not None:
                parts.append(
                    f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{y(lower):.1f}" y2="{y(upper):.1f}" '
                    f'stroke="#0b5cad" stroke-width="2"/>'
                )
            color = PALETTE["bad"] if flagged and flagged[index] else PALETTE["default"]
            parts.append(
                f'<circle cx="{cx:.1f}" cy="{y(value):.1f}" r="4" fill="{color}">'
                f"<title>{escape(str(label))}: {_fmt(value)}</title></circle>"
            )
        parts.append(
            f'<text x="{cx:.1f}" y="{height - 10}" font-size="11" text-anchor="middle" '
            f'fill="#1b1f24">{escape(str(label))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above


def quadrant_chart(
    points: Sequence[tuple[str, float, float, str]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    x_cut: float,
    y_cut: float,
    width: int = 640,
    height: int = 360,
) -> SafeString:
    """Return an SVG scatter of (label, x, y, colour key) with the two cut lines of a 2×2 grid.

    Used for importance–performance analysis: performance across, importance up.
    """
    pad_left, pad_right, pad_bottom, pad_top = 48, 16, 40, 16
    plot_w, plot_h = width - pad_left - pad_right, height - pad_bottom - pad_top
    xs = [p[1] for p in points] + [x_cut]
    ys = [p[2] for p in points] + [y_cut]
    x_lo, x_hi = min(xs), max(xs)
    y_lo, y_hi = min(ys), max(ys)
    x_pad, y_pad = (x_hi - x_lo) * 0.15 or 0.5, (y_hi - y_lo) * 0.15 or 0.05
    x_lo, x_hi, y_lo, y_hi = x_lo - x_pad, x_hi + x_pad, y_lo - y_pad, y_hi + y_pad

    def sx(v: float) -> float:
        return pad_left + plot_w * (v - x_lo) / (x_hi - x_lo)

    def sy(v: float) -> float:
        return pad_top + plot_h * (1 - (v - y_lo) / (y_hi - y_lo))

    desc = "; ".join(f"{label}: {_fmt(x)}, {_fmt(y)}" for label, x, y, _c in points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title><desc>{escape(desc)}</desc>',
        f'<rect x="{pad_left}" y="{pad_top}" width="{plot_w}" height="{plot_h}" fill="none" '
        f'stroke="#d0d7de"/>',
        f'<line x1="{sx(x_cut):.1f}" x2="{sx(x_cut):.1f}" y1="{pad_top}" y2="{pad_top + plot_h}" '
        f'stroke="#57606a" stroke-dasharray="4 3"/>',
        f'<line x1="{pad_left}" x2="{pad_left + plot_w}" y1="{sy(y_cut):.1f}" y2="{sy(y_cut):.1f}" '
        f'stroke="#57606a" stroke-dasharray="4 3"/>',
        f'<text x="{pad_left + plot_w / 2:.1f}" y="{height - 8}" font-size="12" '
        f'text-anchor="middle" fill="#1b1f24">{escape(x_label)}</text>',
        f'<text x="14" y="{pad_top + plot_h / 2:.1f}" font-size="12" text-anchor="middle" '
        f'fill="#1b1f24" transform="rotate(-90 14 {pad_top + plot_h / 2:.1f})">'
        f"{escape(y_label)}</text>",
    ]
    for label, x, y, colour in points:
        fill = PALETTE.get(colour, PALETTE["default"])
        parts.append(
            f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="6" fill="{fill}">'
            f"<title>{escape(label)}: {_fmt(x)}, {_fmt(y)}</title></circle>"
            f'<text x="{sx(x) + 9:.1f}" y="{sy(y) + 4:.1f}" font-size="11" fill="#1b1f24">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above
