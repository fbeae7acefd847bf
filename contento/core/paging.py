"""Long lists a page at a time, with the pager's links keeping the list's filters."""

from django.core.paginator import Page, Paginator


def paginate(request, items, per_page: int) -> tuple[Page, str]:
    """Return the page of `items` that ?page= asks for, and the query string without ?page=
    (the filters) for links to the other pages and to downloads of the same list."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
