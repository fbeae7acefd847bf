from django.db import migrations


class Migration(migrations.Migration):
    """The score counts moved to the surveys app; their tables are left as they are."""

    dependencies = [
        ("insights", "0006_monthly_score_counts"),
        ("surveys", "0005_score_counts_move_to_surveys"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="MonthlyScoreCount"),
                migrations.DeleteModel(name="PairMoment"),
                migrations.DeleteModel(name="ScoreCount"),
            ],
            database_operations=[],
        ),
    ]
