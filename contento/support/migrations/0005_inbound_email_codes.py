import uuid

from django.db import migrations


def give_codes(apps, schema_editor):
    InboundEmail = apps.get_model("support", "InboundEmail")
    for pk in InboundEmail.objects.filter(code__isnull=True).values_list("pk", flat=True).iterator():
        InboundEmail.objects.filter(pk=pk).update(code=uuid.uuid4())


class Migration(migrations.Migration):
    """Give every stored inbound mail the code its page is reached by."""

    dependencies = [("support", "0004_inbound_mail_digests_text_and_participants")]

    operations = [migrations.RunPython(give_codes, migrations.RunPython.noop)]
