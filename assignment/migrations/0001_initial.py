
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.migration_ops import AdoptModels


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("leads", "0015_move_scoring_assignment_imports_out"),
        ("contenttypes", "0002_remove_content_type_name"),
        ('users', '0002_security_events'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The tables were created by the leads app (leads 0001–0014) and keep their names: this app adopts them with
    # their rows, content types and permissions.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.CreateModel(
            name='AssignmentRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order', models.PositiveIntegerField(default=100, help_text='Lower runs first; the first matching rule wins.')),
                ('name', models.CharField(max_length=100)),
                ('active', models.BooleanField(default=True)),
                ('sources', models.JSONField(blank=True, default=list, help_text='Lead sources; empty matches any.')),
                ('countries', models.JSONField(blank=True, default=list, help_text='Countries (case-insensitive); empty: any.')),
                ('industries', models.JSONField(blank=True, default=list, help_text='Industries (case-insensitive); empty: any.')),
                ('employees_min', models.PositiveIntegerField(blank=True, null=True)),
                ('employees_max', models.PositiveIntegerField(blank=True, null=True)),
                ('score_min', models.PositiveSmallIntegerField(blank=True, help_text='Matches leads scoring at least this.', null=True)),
                ('ratings', models.JSONField(blank=True, default=list, help_text='Lead ratings (hot, warm, cold); empty: any.')),
                ('method', models.CharField(choices=[('round_robin', 'Round-robin'), ('least_loaded', 'Least loaded')], default='round_robin', max_length=20)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('last_assigned_user', models.ForeignKey(blank=True, editable=False, help_text='The round-robin cursor: the next lead goes to the candidate after this user.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('target_team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='assignment_rules', to='users.team')),
                ('target_user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='assignment_rules', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'leads_assignmentrule',
                'ordering': ['order', 'id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('target_user__isnull', True), ('target_team__isnull', True), _connector='OR'), name='assignment_rule_one_target', violation_error_message='Target a user or a team, not both.'), models.CheckConstraint(condition=models.Q(('employees_min__isnull', True), ('employees_max__isnull', True), ('employees_min__lte', models.F('employees_max')), _connector='OR'), name='assignment_rule_employees_range', violation_error_message='The minimum number of employees must not exceed the maximum.'), models.CheckConstraint(condition=models.Q(('score_min__isnull', True), ('score_min__lte', 100), _connector='OR'), name='assignment_rule_score_min_0_100', violation_error_message='The minimum score is between 0 and 100.')],
            },
        ),
            ],
        ),
        AdoptModels("leads", ['AssignmentRule']),
    ]
