# Email from a record, inbound replies and attachments (workspace issue): files on any record.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import activities.models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0007_tasks_calendar_reminders"),
        ("accounts", "0002_initial"),
        ("contacts", "0002_initial"),
        ("leads", "0002_initial"),
        ("opportunities", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Attachment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("file", models.FileField(max_length=255, upload_to=activities.models.attachment_path)),
                ("original_name", models.CharField(max_length=200)),
                ("content_type", models.CharField(default="application/octet-stream", max_length=100)),
                ("size", models.PositiveBigIntegerField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "account",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.account",
                    ),
                ),
                (
                    "contact",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contacts.contact",
                    ),
                ),
                (
                    "lead",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="leads.lead",
                    ),
                ),
                (
                    "opportunity",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="opportunities.opportunity",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("lead__isnull", False)),
                        fields=["lead", "-created_at"],
                        name="attachment_lead_time",
                    ),
                    models.Index(
                        condition=models.Q(("contact__isnull", False)),
                        fields=["contact", "-created_at"],
                        name="attachment_contact_time",
                    ),
                    models.Index(
                        condition=models.Q(("account__isnull", False)),
                        fields=["account", "-created_at"],
                        name="attachment_account_time",
                    ),
                    models.Index(
                        condition=models.Q(("opportunity__isnull", False)),
                        fields=["opportunity", "-created_at"],
                        name="attachment_opportunity_time",
                    ),
                    models.Index(
                        condition=models.Q(("uploaded_by__isnull", False)),
                        fields=["uploaded_by"],
                        name="attachment_uploader",
                    ),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("lead__isnull", False),
                            ("contact__isnull", False),
                            ("account__isnull", False),
                            ("opportunity__isnull", False),
                            _connector="OR",
                        ),
                        name="attachment_belongs_to_a_record",
                        violation_error_message="An attachment belongs to a lead, contact, account or opportunity.",
                    ),
                ],
            },
        ),
    ]
