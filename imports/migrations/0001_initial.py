
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.migration_ops import AdoptModels


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("leads", "0015_move_scoring_assignment_imports_out"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The tables were created by the leads app (leads 0001–0014) and keep their names: this app adopts them with
    # their rows, content types and permissions.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.CreateModel(
            name='ImportJob',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(max_length=255, upload_to='imports/%Y/%m/')),
                ('original_name', models.CharField(blank=True, max_length=255)),
                ('encoding', models.CharField(blank=True, max_length=20)),
                ('delimiter', models.CharField(blank=True, max_length=1)),
                ('headers', models.JSONField(blank=True, default=list)),
                ('mapping', models.JSONField(blank=True, default=dict, help_text='CSV header → lead field; unmapped headers skip.')),
                ('status', models.CharField(choices=[('draft', 'Awaiting mapping'), ('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], db_index=True, default='queued', max_length=10)),
                ('rows_total', models.PositiveIntegerField(blank=True, null=True)),
                ('rows_done', models.PositiveIntegerField(default=0, help_text='Data rows committed; a retried run resumes here.')),
                ('created', models.PositiveIntegerField(default=0)),
                ('updated', models.PositiveIntegerField(default=0)),
                ('merged', models.PositiveIntegerField(default=0, help_text='Rows merged into an earlier row with the same email.')),
                ('failed', models.PositiveIntegerField(default=0)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('run_rows_start', models.PositiveIntegerField(default=0, help_text='rows_done when the current run began (rate).')),
                ('detail', models.CharField(blank=True, max_length=500)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True, help_text='Heartbeat: saved after every chunk.')),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='import_jobs', to=settings.AUTH_USER_MODEL)),
                ('owner', models.ForeignKey(blank=True, help_text='Empty: assignment.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'leads_importjob',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ImportRowError',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('row', models.PositiveIntegerField()),
                ('column', models.CharField(blank=True, max_length=255)),
                ('message', models.CharField(max_length=255)),
                ('value', models.CharField(blank=True, max_length=255)),
                ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='row_errors', to='imports.importjob')),
            ],
            options={
                'db_table': 'leads_importrowerror',
                'ordering': ['job', 'row', 'id'],
                'indexes': [models.Index(fields=['job', 'row'], name='import_error_job_row')],
            },
        ),
            ],
        ),
        AdoptModels("leads", ['ImportJob', 'ImportRowError']),
    ]
