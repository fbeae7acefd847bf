"""Pagination helpers of the REST API."""


class MappedPage:
    """A sliceable view of a queryset that converts only the rows of the page returned.

    django-ninja's `LimitOffsetPagination` counts and slices what the view returns; this lets
    a view return a queryset and a function that turns one row into its output.
    """

    def __init__(self, queryset, convert):
        self.queryset, self.convert = queryset, convert

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [self.convert(row) for row in self.queryset[item]]
