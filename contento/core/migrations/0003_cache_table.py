from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The shared cache of an installation on PostgreSQL without Redis (settings.CACHES); a
    # no-op where the cache is Redis or files.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    """Create the database cache's table where the settings use one."""

    dependencies = [("core", "0002_stored_files")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
