
import django.core.validators
from django.db import migrations, models

from core.migration_ops import AdoptModels


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("leads", "0015_move_scoring_assignment_imports_out"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # The tables were created by the leads app (leads 0001–0014) and keep their names: this app adopts them with
    # their rows, content types and permissions.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.CreateModel(
            name='EngagementWeight',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('kind', models.CharField(max_length=40, unique=True)),
                ('points', models.SmallIntegerField(default=0, validators=[django.core.validators.MinValueValidator(-100), django.core.validators.MaxValueValidator(100)])),
                ('active', models.BooleanField(default=True)),
            ],
            options={
                'db_table': 'leads_engagementweight',
                'ordering': ['kind'],
                'constraints': [models.CheckConstraint(condition=models.Q(('points__gte', -100), ('points__lte', 100)), name='engagement_weight_points_range')],
            },
        ),
        migrations.CreateModel(
            name='ScoringRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('name', models.CharField(max_length=120)),
                ('field', models.CharField(help_text='The lead field the rule looks at.', max_length=40)),
                ('operator', models.CharField(choices=[('equals', 'equals'), ('not_equals', 'does not equal'), ('in', 'is one of (comma-separated)'), ('contains', 'contains (any of, comma-separated)'), ('starts_with', 'starts with (any of, comma-separated)'), ('gte', '≥'), ('lte', '≤'), ('is_set', 'is set'), ('is_blank', 'is blank'), ('free_mail', 'email is free-mail')], max_length=20)),
                ('value', models.CharField(blank=True, help_text='Lists are comma-separated; numbers for ≥ and ≤.', max_length=500)),
                ('points', models.SmallIntegerField(help_text='Added to the score when the rule matches; negative for a penalty.', validators=[django.core.validators.MinValueValidator(-100), django.core.validators.MaxValueValidator(100)])),
                ('active', models.BooleanField(default=True)),
            ],
            options={
                'db_table': 'leads_scoringrule',
                'ordering': ['-points', 'name', 'id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('points__gte', -100), ('points__lte', 100)), name='scoring_rule_points_range')],
            },
        ),
        migrations.CreateModel(
            name='ScoringRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('running', 'Running'), ('done', 'Done'), ('superseded', 'Superseded by a rule change')], db_index=True, default='running', max_length=20)),
                ('reason', models.CharField(blank=True, max_length=100)),
                ('started_at', models.DateTimeField(help_text='Decay is computed as of this moment for the whole run.')),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('last_id', models.BigIntegerField(default=0, help_text='Leads with an id up to this one are done.')),
                ('max_id', models.BigIntegerField(default=0)),
                ('leads_changed', models.PositiveIntegerField(default=0)),
                ('leads_reached_mql', models.PositiveIntegerField(default=0)),
            ],
            options={
                'db_table': 'leads_scoringrun',
                'ordering': ['-started_at', '-id'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'running')), fields=('status',), name='scoring_one_running_run')],
            },
        ),
            ],
        ),
        AdoptModels("leads", ['EngagementWeight', 'ScoringRule', 'ScoringRun']),
    ]
