# The leads each import job created or updated (the "see its leads" link of the result page).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0001_initial'),
        ('leads', '0015_move_scoring_assignment_imports_out'),
    ]

    operations = [
        migrations.CreateModel(
            name='ImportedLead',
            fields=[
                ('pk', models.CompositePrimaryKey('job_id', 'lead_id', blank=True, editable=False, primary_key=True, serialize=False)),
                ('created', models.BooleanField(help_text='The job created the lead; false: it updated an open lead.')),
                ('job', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='lead_links', to='imports.importjob')),
                ('lead', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='import_links', to='leads.lead')),
            ],
            options={
                'ordering': ['job', 'lead'],
            },
        ),
    ]
