"""Charts as SVG files and their data as CSV, for every chart a page shows."""

import io

from django.http import HttpResponse

from contento.core.spreadsheets import CsvWriter


def svg_response(svg: str, filename: str) -> HttpResponse:
    """Return a chart as a downloadable SVG file."""
    response = HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + str(svg),
        content_type="image/svg+xml; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.svg"'
    return response


def csv_response(header: list[str], rows: list[list], filename: str) -> HttpResponse:
    """Return a chart's data as a downloadable CSV file (UTF-8 with a byte-order mark)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = CsvWriter(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def wanted(request) -> str | None:
    """Return the download asked for ("svg" or "csv"), if any."""
    value = request.GET.get("download")
    return value if value in ("svg", "csv") else None
