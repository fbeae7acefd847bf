"""The business's own customer attributes (`Customer.attributes`: plan, region, segment…)."""

from django.db import connection

from contento.customers.models import ATTRIBUTE_KEY, Customer


def attribute_keys(organization) -> list[str]:
    """Return the names of the customer attributes in use in the workspace, sorted."""
    # The table's name comes from the model, the workspace is a parameter.
    table = connection.ops.quote_name(Customer._meta.db_table)
    if connection.vendor == "postgresql":
        sql = f"SELECT DISTINCT jsonb_object_keys(attributes) FROM {table}"  # noqa: S608
        sql += " WHERE organization_id = %s"
    else:
        sql = f"SELECT DISTINCT j.key FROM {table} c, json_each(c.attributes) j"  # noqa: S608
        sql += " WHERE c.organization_id = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [organization.pk])
        return sorted(key for (key,) in cursor.fetchall() if ATTRIBUTE_KEY.fullmatch(key))
