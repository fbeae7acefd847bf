"""Colours a business chooses, checked for contrast as WCAG 2.1 measures it.

The brand colour fills buttons with white text and colours links on white, so it must read
against white at the level WCAG 2.1 AA asks of normal text: a contrast ratio of 4.5:1
(success criterion 1.4.3). The ratio is (L1 + 0.05) / (L2 + 0.05) of the two colours'
relative luminances, from sRGB as WCAG 2.1 defines it ("relative luminance", "contrast
ratio" in its glossary).
"""

import re

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
WHITE = "#ffffff"
AA_TEXT = 4.5  # WCAG 2.1 AA, normal text (SC 1.4.3)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """Return the relative luminance (0 black to 1 white) of a colour written "#rrggbb"."""
    if not HEX_COLOUR.fullmatch(colour):
        raise ValueError(f"Not a colour written as #rrggbb: {colour!r}.")
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """Return the contrast ratio of two colours, from 1 (none) to 21 (black on white)."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
