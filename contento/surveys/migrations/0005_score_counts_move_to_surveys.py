import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The score counts belong with the answers: the models move here, the tables stay."""

    dependencies = [
        ("surveys", "0004_answer_answer_unanalysed"),
        ("insights", "0006_monthly_score_counts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='MonthlyScoreCount',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('item_key', models.CharField(blank=True, default='', max_length=50)),
                        ('part', models.CharField(blank=True, default='', max_length=16)),
                        ('month', models.DateField()),
                        ('dimension', models.CharField(max_length=20)),
                        ('dimension_value', models.CharField(blank=True, default='', max_length=50)),
                        ('value', models.IntegerField()),
                        ('n', models.BigIntegerField(default=0)),
                        ('question', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.question')),
                        ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.survey')),
                    ],
                    options={
                        'db_table': 'insights_monthlyscorecount',
                        'indexes': [models.Index(fields=['question', 'dimension', 'month'], name='insights_mo_questio_273821_idx')],
                        'constraints': [models.UniqueConstraint(fields=('survey', 'question', 'item_key', 'part', 'month', 'dimension', 'dimension_value', 'value'), name='monthlyscorecount_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='PairMoment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField()),
                        ('dimension', models.CharField(max_length=20)),
                        ('dimension_value', models.CharField(blank=True, default='', max_length=50)),
                        ('var_a', models.CharField(max_length=80)),
                        ('var_b', models.CharField(max_length=80)),
                        ('n', models.BigIntegerField(default=0)),
                        ('sum_a', models.BigIntegerField(default=0)),
                        ('sum_b', models.BigIntegerField(default=0)),
                        ('sum_aa', models.BigIntegerField(default=0)),
                        ('sum_bb', models.BigIntegerField(default=0)),
                        ('sum_ab', models.BigIntegerField(default=0)),
                        ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.survey')),
                    ],
                    options={
                        'db_table': 'insights_pairmoment',
                        'constraints': [models.UniqueConstraint(fields=('survey', 'month', 'dimension', 'dimension_value', 'var_a', 'var_b'), name='pairmoment_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='ScoreCount',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('item_key', models.CharField(blank=True, default='', max_length=50)),
                        ('part', models.CharField(blank=True, default='', max_length=16)),
                        ('day', models.DateField()),
                        ('dimension', models.CharField(max_length=20)),
                        ('dimension_value', models.CharField(blank=True, default='', max_length=50)),
                        ('value', models.IntegerField()),
                        ('n', models.BigIntegerField(default=0)),
                        ('question', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.question')),
                        ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.survey')),
                    ],
                    options={
                        'db_table': 'insights_scorecount',
                        'indexes': [models.Index(fields=['survey', 'dimension', 'dimension_value', 'day'], name='insights_sc_survey__008402_idx')],
                        'constraints': [models.UniqueConstraint(fields=('survey', 'question', 'item_key', 'part', 'day', 'dimension', 'dimension_value', 'value'), name='scorecount_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
