# The dashboard's indexes follow its queries: unattended leads are counted per owner (owner first, answered
# from the index alone), time in status reads the changes since the cohort's first day (changed_at first); the
# plain indexes they cover go.

import django.db.models.deletion
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

from core.migration_ops import DropFieldIndexes


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_initial'),
        ('contacts', '0002_initial'),
        ('leads', '0013_lean_indexes'),
        ('opportunities', '0004_dashboard_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='lead',
            name='lead_dashboard_idle',
        ),
        migrations.RemoveIndex(
            model_name='leadstatuschange',
            name='status_change_dashboard',
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.AlterField(
                model_name='leadstatuschange',
                name='changed_at',
                field=models.DateTimeField(),
            ),
            migrations.AlterField(
                model_name='leadstatuschange',
                name='lead',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='status_changes', to='leads.lead'),
            ),
            ],
            database_operations=[DropFieldIndexes("leadstatuschange", ["changed_at", "lead"])],
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(models.F('owner'), django.db.models.functions.comparison.Coalesce('last_activity_at', 'created_at'), condition=models.Q(('status__in', ['converted', 'unqualified']), _negated=True), include=('last_activity_at', 'created_at', 'source', 'id'), name='lead_dashboard_idle'),
        ),
        migrations.AddIndex(
            model_name='leadstatuschange',
            index=models.Index(fields=['changed_at', 'lead', 'id', 'to_status'], name='status_change_dashboard'),
        ),
        migrations.RemoveIndex(
            model_name='lead',
            name='lead_dashboard_converted',
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(condition=models.Q(('converted_at__isnull', False)), fields=['converted_at', 'owner', 'source', 'created_at', 'converted_opportunity', 'id'], name='lead_dashboard_converted'),
        ),
    ]
