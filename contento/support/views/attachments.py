"""Download of a ticket's attachments from the desk.

The files come from customers, so they are always served as downloads, never rendered in the
desk's origin: a type a browser could run (HTML, SVG, XML, scripts) or a malformed one is sent as
`application/octet-stream`, and `nosniff` plus a sandboxing CSP stop the browser guessing.
"""

import re

from django.http import FileResponse, Http404

from contento.accounts.access import member_required
from contento.support.access import access_attachment

_MIME = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
# Types a browser may render as a document or run as a script, whatever the subtype's suffix.
_RISKY_WORDS = ("html", "xml", "svg", "javascript", "ecmascript", "script", "xsl", "flash")
_RISKY_FAMILIES = ("multipart/", "message/")


def safe_content_type(content_type: str) -> str:
    """Return the stored type when a browser cannot run it, else `application/octet-stream`."""
    value = (content_type or "").split(";", 1)[0].strip().lower()
    if (
        not _MIME.match(value)
        or value.startswith(_RISKY_FAMILIES)
        or any(word in value for word in _RISKY_WORDS)
    ):
        return "application/octet-stream"
    return value


def _download_name(filename: str) -> str:
    # Control characters would break the header; path separators mean nothing to the user.
    name = "".join(ch for ch in filename if ch.isprintable()).replace("/", "_").replace("\\", "_")
    return name.strip() or "attachment"


@member_required("ticket.view")
def download(request, membership, code):
    """Send an attachment of a ticket of this workspace to a member who may read the ticket."""
    # Whoever may read the ticket may read its files (and only they, if that rule narrows).
    attachment = access_attachment(membership, code)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):  # erased, or never stored
        raise Http404("The file of this attachment is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=_download_name(attachment.filename),
        content_type=safe_content_type(attachment.content_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
