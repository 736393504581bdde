
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('leads', '0014_dashboard_indexes'),
    ]

    # Scoring, assignment and import models moved to their own apps, which keep these tables under their names:
    # only Django's picture of the models changes here, not the database.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.RemoveField(
            model_name='assignmentrule',
            name='last_assigned_user',
        ),
        migrations.RemoveField(
            model_name='assignmentrule',
            name='target_team',
        ),
        migrations.RemoveField(
            model_name='assignmentrule',
            name='target_user',
        ),
        migrations.DeleteModel(
            name='EngagementWeight',
        ),
        migrations.RemoveField(
            model_name='importjob',
            name='created_by',
        ),
        migrations.RemoveField(
            model_name='importjob',
            name='owner',
        ),
        migrations.RemoveField(
            model_name='importrowerror',
            name='job',
        ),
        migrations.DeleteModel(
            name='ScoringRule',
        ),
        migrations.DeleteModel(
            name='ScoringRun',
        ),
        migrations.DeleteModel(
            name='AssignmentRule',
        ),
        migrations.DeleteModel(
            name='ImportJob',
        ),
        migrations.DeleteModel(
            name='ImportRowError',
        ),
            ],
        ),
    ]
