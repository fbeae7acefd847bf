"""Writing many rows at once, faster than `bulk_create`."""

from functools import partial

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

# Fields whose values go to the database as Python has them; the others (UUIDs, dates,
# decimals, JSON) are prepared by their field.
PLAIN_TYPES = {
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "TextField",
}


def insert_rows(model, records: list) -> None:
    """Insert new records with one `executemany`, their primary keys not read back.

    `bulk_create` spends most of its time preparing every value through the field API and
    building one statement per batch; here only the values that need the database's own format
    (UUIDs, dates, decimals, JSON) go through it.
    """
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    real = connections[DEFAULT_DB_ALIAS]  # the proxy's lookup costs more than preparing a value
    plan = []  # per field: its attribute name and how its value is prepared, or a constant
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            plan.append((None, f.get_db_prep_save(now, real)))
        elif f.get_internal_type() in PLAIN_TYPES:
            plan.append((f.attname, None))
        else:
            plan.append((f.attname, partial(f.get_db_prep_save, connection=real)))
    params = []
    for record in records:
        row = []
        for name, prepare in plan:
            if not name:
                row.append(prepare)
                continue
            value = getattr(record, name)
            # None goes to the database as NULL whatever the field: nothing to prepare.
            row.append(value if prepare is None or value is None else prepare(value))
        params.append(row)
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
