# Timeline entries: the per-record (record, -created_at) indexes become partial and serve the foreign keys, so
# the foreign keys' own indexes go; events need no index on kind (every lookup names the lead).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.migration_ops import DropFieldIndexes


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("activities", "0005_initial"),
        ("contacts", "0002_initial"),
        ("leads", "0012_import_jobs"),
        ("opportunities", "0004_dashboard_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="activity",
            name="activity_lead_time",
        ),
        migrations.RemoveIndex(
            model_name="activity",
            name="activity_contact_time",
        ),
        migrations.RemoveIndex(
            model_name="activity",
            name="activity_account_time",
        ),
        migrations.RemoveIndex(
            model_name="activity",
            name="activity_opportunity_time",
        ),
        migrations.RemoveIndex(
            model_name="event",
            name="event_lead_time",
        ),
        migrations.RemoveIndex(
            model_name="event",
            name="event_contact_time",
        ),
        migrations.RemoveIndex(
            model_name="event",
            name="event_account_time",
        ),
        migrations.RemoveIndex(
            model_name="event",
            name="event_opportunity_time",
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="activity",
                    name="account",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.account",
                    ),
                ),
                migrations.AlterField(
                    model_name="activity",
                    name="contact",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contacts.contact",
                    ),
                ),
                migrations.AlterField(
                    model_name="activity",
                    name="lead",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="leads.lead",
                    ),
                ),
                migrations.AlterField(
                    model_name="activity",
                    name="opportunity",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="opportunities.opportunity",
                    ),
                ),
                migrations.AlterField(
                    model_name="activity",
                    name="owner",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="activities",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="account",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.account",
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="contact",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contacts.contact",
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="kind",
                    field=models.CharField(max_length=40),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="lead",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="leads.lead",
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="opportunity",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="opportunities.opportunity",
                    ),
                ),
            ],
            database_operations=[
                DropFieldIndexes("activity", ["account", "contact", "lead", "opportunity", "owner"]),
                DropFieldIndexes("event", ["account", "actor", "contact", "kind", "lead", "opportunity"]),
            ],
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                condition=models.Q(("lead__isnull", False)), fields=["lead", "-created_at"], name="activity_lead_time"
            ),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                condition=models.Q(("contact__isnull", False)),
                fields=["contact", "-created_at"],
                name="activity_contact_time",
            ),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                condition=models.Q(("account__isnull", False)),
                fields=["account", "-created_at"],
                name="activity_account_time",
            ),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                condition=models.Q(("opportunity__isnull", False)),
                fields=["opportunity", "-created_at"],
                name="activity_opportunity_time",
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("lead__isnull", False)), fields=["lead", "-created_at"], name="event_lead_time"
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("contact__isnull", False)),
                fields=["contact", "-created_at"],
                name="event_contact_time",
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("account__isnull", False)),
                fields=["account", "-created_at"],
                name="event_account_time",
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("opportunity__isnull", False)),
                fields=["opportunity", "-created_at"],
                name="event_opportunity_time",
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(condition=models.Q(("actor__isnull", False)), fields=["actor"], name="event_actor"),
        ),
    ]
