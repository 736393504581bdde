# Every write to a lead updates each of its indexes: drop those no query needs (the composite indexes that lead
# with created_at or owner serve those lookups; converted-record indexes become partial).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.migration_ops import DropFieldIndexes


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("contacts", "0002_initial"),
        ("leads", "0012_import_jobs"),
        ("opportunities", "0004_dashboard_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="lead",
            name="lead_status",
        ),
        migrations.RemoveIndex(
            model_name="lead",
            name="lead_source",
        ),
        migrations.RemoveIndex(
            model_name="lead",
            name="lead_email",
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="lead",
                    name="converted_account",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="converted_leads",
                        to="accounts.account",
                    ),
                ),
                migrations.AlterField(
                    model_name="lead",
                    name="converted_contact",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="converted_leads",
                        to="contacts.contact",
                    ),
                ),
                migrations.AlterField(
                    model_name="lead",
                    name="created_at",
                    field=models.DateTimeField(auto_now_add=True),
                ),
                migrations.AlterField(
                    model_name="lead",
                    name="owner",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                DropFieldIndexes("lead", ["converted_account", "converted_contact", "created_at", "owner"]),
            ],
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                condition=models.Q(("converted_account__isnull", False)),
                fields=["converted_account"],
                name="lead_converted_account",
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                condition=models.Q(("converted_contact__isnull", False)),
                fields=["converted_contact"],
                name="lead_converted_contact",
            ),
        ),
    ]
