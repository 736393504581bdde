# Tasks, calendar, reminders, notifications and call outcomes (workspace issue).
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0006_lean_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="remind_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="activity",
            name="reminder_sent_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="activity",
            name="call_outcome",
            field=models.CharField(
                blank=True,
                choices=[
                    ("connected", "Connected"),
                    ("voicemail", "Left voicemail"),
                    ("no_answer", "No answer"),
                    ("wrong_number", "Wrong number"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="activity",
            name="duration_seconds",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[django.core.validators.MaxValueValidator(86400, "A call lasts at most 24 hours.")],
            ),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                condition=models.Q(
                    ("completed_at__isnull", True), ("remind_at__isnull", False), ("reminder_sent_at__isnull", True)
                ),
                fields=["remind_at"],
                name="activity_due_reminders",
            ),
        ),
        migrations.CreateModel(
            name="Notification",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("reminder", "Task reminder")], max_length=20)),
                ("text", models.CharField(max_length=500)),
                ("url", models.CharField(blank=True, max_length=500)),
                (
                    "email_status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Not emailed"),
                            ("pending", "To send"),
                            ("sending", "Sending"),
                            ("sent", "Sent"),
                            ("failed", "Failed"),
                        ],
                        default="",
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("read_at", models.DateTimeField(blank=True, null=True)),
                (
                    "activity",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to="activities.activity",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["user", "-created_at"], name="notification_user_time"),
                    models.Index(
                        condition=models.Q(("read_at__isnull", True)), fields=["user"], name="notification_unread"
                    ),
                    models.Index(
                        condition=models.Q(("activity__isnull", False)),
                        fields=["activity"],
                        name="notification_activity",
                    ),
                    models.Index(
                        condition=models.Q(("email_status", "pending")),
                        fields=["id"],
                        name="notification_email_pending",
                    ),
                ],
            },
        ),
    ]
