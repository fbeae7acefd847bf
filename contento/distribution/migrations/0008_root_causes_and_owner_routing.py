"""The workspace's list of root causes (the written causes of existing cases become its first
entries), and rules that give the case to the customer's account owner."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


def causes_from_text(apps, schema_editor):
    FollowUpCase = apps.get_model("distribution", "FollowUpCase")
    RootCause = apps.get_model("distribution", "RootCause")
    for case in FollowUpCase.objects.exclude(root_cause_text="").iterator():
        cause, _created = RootCause.objects.get_or_create(
            organization_id=case.organization_id, name=case.root_cause_text[:100]
        )
        FollowUpCase.objects.filter(pk=case.pk).update(root_cause=cause)


def text_from_causes(apps, schema_editor):
    FollowUpCase = apps.get_model("distribution", "FollowUpCase")
    for case in FollowUpCase.objects.exclude(root_cause=None).select_related("root_cause"):
        FollowUpCase.objects.filter(pk=case.pk).update(root_cause_text=case.root_cause.name)


class Migration(migrations.Migration):
    dependencies = [
        ("distribution", "0007_text_message_campaigns"),
    ]

    operations = [
        migrations.AddField(
            model_name="followuprule",
            name="route",
            field=models.CharField(
                choices=[
                    ("team", "the rule's team"),
                    ("owner", "the customer's account owner (else the team)"),
                ],
                default="team",
                max_length=8,
                verbose_name="for",
            ),
        ),
        migrations.CreateModel(
            name="RootCause",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("is_active", models.BooleanField(default=True, verbose_name="offered")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.organization",
                    ),
                ),
            ],
            options={
                "verbose_name": "root cause",
                "ordering": ["name", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organization", "name"), name="root_cause_unique"
                    )
                ],
            },
        ),
        migrations.RenameField(
            model_name="followupcase", old_name="root_cause", new_name="root_cause_text"
        ),
        migrations.AddField(
            model_name="followupcase",
            name="root_cause",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="cases",
                to="distribution.rootcause",
                verbose_name="root cause",
            ),
        ),
        migrations.RunPython(causes_from_text, text_from_causes),
        migrations.RemoveField(model_name="followupcase", name="root_cause_text"),
    ]
