"""Charts as inline SVG, drawn on the server: no JavaScript, no CDN, readable by screen readers.

Each chart carries a <title> and <desc>, and every bar its own <title> with the exact figure.
"""

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

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
    return f"{value:.0f}" if float(value).is_integer() or abs(value) >= 10 else f"{value:.1f}"


def score_colors(kind: str, points: Sequence[int]) -> list[str]:
    """Return the colour of each score: detractors, passives and promoters for NPS, etc."""

    def pick(point):
        if kind == "nps":
            return "bad" if point <= 6 else "neutral" if point <= 8 else "good"
        if kind == "csat":
            return "bad" if point <= 2 else "neutral" if point == 3 else "good"
        if kind == "ces":
            return "bad" if point <= 3 else "neutral" if point == 4 else "good"
        return "default"

    return [PALETTE[pick(p)] for p in points]
