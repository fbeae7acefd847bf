"""Charts as SVG files and their data as CSV, for every chart a page shows.

A page that offers its charts describes each as a `Download`: the chart, the table behind
it and the files' name. `render_or_download` then either serves the file the page's links
ask for (`?download=svg` or `?download=csv`, with `&chart=<name>` for any chart but the
first) or renders the page with the downloads in its context, where
``{% include "includes/chart_downloads.html" with download=downloads.<name> only %}``
draws the links (the PNG is drawn from the SVG in the browser, by charts.js).
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString

from contento.core.spreadsheets import CsvWriter

MAIN = "main"  # the first chart's key in the template's `downloads`


@dataclass(frozen=True)
class Download:
    """One chart of a page, offered as SVG, PNG and CSV of its table.

    `chart` is its value of ``?chart=`` ("" for the page's first chart, whose links have
    none; `aliases` are older values still understood). `svg` None: nothing to draw, the
    CSV alone is offered. `query` is the page's own query string, kept in the links.
    """

    name: str  # the files' name, without extension
    svg: SafeString | None
    header: Sequence[str]
    rows: Sequence[Sequence]
    chart: str = ""
    csv_name: str = ""  # when the CSV is named otherwise than the chart
    aliases: tuple[str, ...] = ()
    query: str = ""

    @property
    def svg_url(self) -> str:
        """The link to the chart as an SVG file."""
        return self._url("svg")

    @property
    def csv_url(self) -> str:
        """The link to the chart's table as a CSV file."""
        return self._url("csv")

    def _url(self, kind: str) -> str:
        parts = [self.query] if self.query else []
        parts.append(f"download={kind}")
        if self.chart:
            parts.append(f"chart={self.chart}")
        return "?" + "&".join(parts)


def page_query(request) -> str:
    """Return the page's query string without the download's own parameters."""
    query = request.GET.copy()
    for key in ("download", "chart"):
        query.pop(key, None)
    return query.urlencode()


def wanted(request) -> str | None:
    """Return the download asked for ("svg" or "csv"), if any."""
    value = request.GET.get("download")
    return value if value in ("svg", "csv") else None


def serve(request, offered: Sequence[Download]) -> HttpResponse | None:
    """Return the file that ``?download=`` asks for, or None when the page itself is wanted.

    ``?chart=`` picks the chart by name or alias; absent or unknown, the first. None too
    when the page offers no chart, or an SVG of a chart it could not draw.
    """
    kind = wanted(request)
    if kind is None or not offered:
        return None
    key = request.GET.get("chart") or ""
    download = next((d for d in offered if key in (d.chart, *d.aliases)), offered[0])
    if kind == "svg":
        return svg_response(download.svg, download.name) if download.svg else None
    return csv_response(download.header, download.rows, download.csv_name or download.name)


def render_or_download(
    request, template: str, context: dict, offered: Sequence[Download]
) -> HttpResponse:
    """Serve the chart or table the page's download links ask for, else render the page.

    The template finds each offered chart under ``downloads.<chart>`` (``downloads.main``
    for the first), with its SVG and the links to its files.
    """
    response = serve(request, offered)
    if response is not None:
        return response
    query = page_query(request)
    downloads = {d.chart or MAIN: replace(d, query=query) for d in offered}
    return render(request, template, {**context, "downloads": downloads})


def svg_response(svg: str, filename: str) -> HttpResponse:
    """Return a chart as a downloadable SVG file."""
    response = HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + str(svg),
        content_type="image/svg+xml; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.svg"'
    return response


def csv_response(header: Sequence[str], rows: Sequence[Sequence], filename: str) -> HttpResponse:
    """Return a chart's data as a downloadable CSV file (UTF-8 with a byte-order mark)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = CsvWriter(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
