"""Middleware of the whole site."""

from django.http import QueryDict

NUL = "\x00"


def _without_nul(data: QueryDict) -> QueryDict:
    clean = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        clean.setlist(key.replace(NUL, ""), [value.replace(NUL, "") for value in values])
    clean._mutable = False
    return clean


class StripNul:
    """Remove NUL characters from every query and form field before a view reads it.

    The boundary rule of contento.core.api, for the web pages: a NUL means nothing in a text,
    and PostgreSQL cannot store one. Uploaded files are left as they are. The API is left to
    its own types, which check a text's length as it was sent before they remove its NULs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            return self.get_response(request)
        if _has_nul(request.GET):
            request.GET = _without_nul(request.GET)
        form = request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
        if request.method == "POST" and form and _has_nul(request.POST):
            request.POST = _without_nul(request.POST)
        return self.get_response(request)


def _has_nul(data: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())
