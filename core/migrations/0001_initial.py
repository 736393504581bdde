# The idempotency keys' table was created by the app's earlier label "common"; this app adopts it.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.migration_ops import AdoptModels


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.CreateModel(
            name='IdempotencyKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=255)),
                ('fingerprint', models.CharField(help_text='Digest of method, path and body of the first request.', max_length=64)),
                ('status_code', models.PositiveSmallIntegerField(blank=True, help_text='Empty while in progress.', null=True)),
                ('body', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(db_index=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'constraints': [models.UniqueConstraint(fields=('user', 'key'), name='idempotency_key_unique_per_user')],
                'db_table': 'common_idempotencykey',
            },
        )]),
        AdoptModels("common", ["IdempotencyKey"]),
    ]
