"""Make inbound HTML safe to show, and turn it into plain text for HTML-only mail.

Sanitising uses nh3 (the Rust ammonia sanitiser): an allow-list of tags, attributes, URL
schemes and CSS properties, so scripts, event handlers and ``javascript:`` links cannot pass.
Remote images are dropped (their ``src`` removed) so that showing a message never tells its
sender that it was opened; inline ``cid:`` images are kept as references to the message's
inline attachments, for the desk to rewrite to its own URLs.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

_TAGS = frozenset(
    {
        "a", "abbr", "address", "b", "bdi", "bdo", "big", "blockquote", "br", "caption",
        "center", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl",
        "dt", "em", "figcaption", "figure", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
        "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small",
        "span", "strike", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot",
        "th", "thead", "tr", "tt", "u", "ul", "var", "wbr",
    }
)  # fmt: skip

_CELL_ATTRIBUTES = {"align", "valign", "colspan", "rowspan", "width", "height", "bgcolor"}
_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"style", "title", "lang", "dir", "align"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "font": {"color", "face", "size"},
    "table": {"width", "border", "cellpadding", "cellspacing", "bgcolor"},
    "td": _CELL_ATTRIBUTES,
    "th": _CELL_ATTRIBUTES,
    "tr": {"align", "valign", "bgcolor"},
    "col": {"span", "width"},
    "ol": {"start", "type"},
    "blockquote": {"cite"},
}

# Layout and typography only: nothing that takes a url() (background, list-style-image,
# content) and nothing that lets mail escape its frame (position, z-index).
_STYLE_PROPERTIES = frozenset(
    {
        "color", "background-color", "font", "font-family", "font-size", "font-style",
        "font-weight", "text-align", "text-decoration", "text-indent", "text-transform",
        "line-height", "letter-spacing", "vertical-align", "white-space", "width", "height",
        "max-width", "min-width", "margin", "margin-top", "margin-right", "margin-bottom",
        "margin-left", "padding", "padding-top", "padding-right", "padding-bottom",
        "padding-left", "border", "border-top", "border-right", "border-bottom", "border-left",
        "border-color", "border-style", "border-width", "border-collapse", "border-spacing",
        "direction", "display", "list-style-type",
    }
)  # fmt: skip

_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel", "cid"})


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Drop image sources that would load from the network when the message is shown."""
    if tag == "img" and attribute == "src" and not value.strip().lower().startswith("cid:"):
        return None
    return value


def sanitize_html(html: str) -> str:
    """Return ``html`` with everything that could run code or track the reader removed."""
    if not html.strip():
        return ""
    return nh3.clean(
        html,
        tags=set(_TAGS),
        clean_content_tags={"script", "style", "head", "title", "noscript", "template"},
        attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
        attribute_filter=_filter_attribute,
        url_schemes=set(_URL_SCHEMES),
        filter_style_properties=set(_STYLE_PROPERTIES),
        strip_comments=True,
        link_rel="noopener noreferrer nofollow",
    ).strip()


_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr",
        "ul",
    }
)  # fmt: skip
_SKIPPED_TAGS = frozenset({"script", "style", "head", "noscript", "template", "xml"})


class _TextExtractor(HTMLParser):
    """Collect the text of an HTML document, one line per block, blockquotes as ``> ``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._current: list[str] = []
        self._current_depth = 0
        self._depth = 0
        self._skip = 0
        self._pre = 0
        self._in_title = False
        self.title: list[str] = []

    def _break(self) -> None:
        text = "".join(self._current)
        if not self._pre:
            text = re.sub(r"[ \t\r\n\f\u00a0]+", " ", text).strip()
        prefix = "> " * self._current_depth
        self.lines.append((prefix + text).rstrip() if text else prefix.rstrip())
        self._current = []
        self._current_depth = self._depth

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
            return
        if tag in _SKIPPED_TAGS:
            self._skip += 1
            return
        if tag == "br":
            self._break()
        elif tag in _BLOCK_TAGS:
            if self._current:
                self._break()
            if tag == "blockquote":
                self._depth += 1
                self._current_depth = self._depth
            elif tag == "pre":
                self._pre += 1
            elif tag == "li":
                self._current.append("- ")
            elif tag == "hr":
                self._current.append("---")
                self._break()
        elif tag in ("td", "th") and self._current:
            self._current.append(" ")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt and alt.strip():
                self._current.append(alt.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
            return
        if tag in _SKIPPED_TAGS:
            self._skip = max(0, self._skip - 1)
            return
        if tag in _BLOCK_TAGS:
            if self._current:
                self._break()
            if tag == "blockquote":
                self._depth = max(0, self._depth - 1)
                self._current_depth = self._depth
            elif tag == "pre":
                self._pre = max(0, self._pre - 1)
            elif tag == "p":
                self.lines.append("> " * self._depth if self._depth else "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
            return
        if self._skip:
            return
        if not self._current:
            self._current_depth = self._depth
        self._current.append(data)

    def text(self) -> str:
        if self._current:
            self._break()
        lines = [line.rstrip() for line in self.lines]
        text = "\n".join(lines)
        text = re.sub(r"\n(?:[ >]*\n){2,}", "\n\n", text).strip("\n")
        # A document title is shown as a heading when the body does not already say it
        # (HTML-only mail from scripts often puts its only heading there).
        title = re.sub(r"\s+", " ", "".join(self.title)).strip()
        if title and title not in text:
            text = f"{title}\n\n{text}" if text else title
        return text


def html_to_text(html: str) -> str:
    """Return readable plain text for an HTML body (blockquotes become ``> `` quotes)."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # pragma: no cover - HTMLParser is very lenient
        return re.sub(r"<[^>]*>", " ", html)
    return parser.text()
