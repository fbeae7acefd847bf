"""The last line of the boundary rule: what a model saves fits its columns on every database.

Forms, API schemas, the mail parser and imports already refuse over-long text and remove NUL
characters (contento.core.api). This check runs before any model of the project is saved, so
a path that forgot to stays as safe on PostgreSQL as on SQLite: a NUL is removed from every
text and JSON value (PostgreSQL cannot store one), and a text longer than its column is a
ValidationError naming the field (SQLite would keep it whole; PostgreSQL would fail with a
database error half-way through the request).
"""

from django.core.exceptions import ValidationError
from django.db import models

NUL = "\x00"


def _without_nul(value):
    if isinstance(value, str):
        return value.replace(NUL, "") if NUL in value else value
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


def fit_to_columns(sender, instance, raw=False, **kwargs) -> None:
    """Remove NULs from the instance's texts and refuse one longer than its column."""
    if raw:  # fixtures are loaded as they are
        return
    too_long = {}
    for field in instance._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField | models.JSONField):
            continue
        value = getattr(instance, field.attname)
        clean = _without_nul(value)
        if clean is not value:
            setattr(instance, field.attname, clean)
        limit = getattr(field, "max_length", None)
        if limit and isinstance(clean, str) and len(clean) > limit:
            too_long[field.name] = (
                f"Ensure this value has at most {limit} characters (it has {len(clean)})."
            )
    if too_long:
        raise ValidationError(too_long)
