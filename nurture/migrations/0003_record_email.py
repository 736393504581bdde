# Email from a record: templates reps pick from, the one-off emails they send and the replies that come back.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TEMPLATES = [
    (
        "Follow-up after a call",
        "Following up on our call, {{ first_name }}",
        "Hi {{ first_name }},\n\nThanks for your time today. As promised, here is a short summary of what we "
        "discussed for {{ company }}.\n\nReply to this email with any questions.\n\nBest regards,\n{{ owner_name }}\n",
    ),
    (
        "Introduction",
        "{{ company }} and Funnel",
        "Hi {{ first_name }},\n\nI look after companies like {{ company }} here and would love to learn what you are "
        "working on. Would a 20-minute call next week suit you?\n\nBest regards,\n{{ owner_name }}\n",
    ),
]


def seed_templates(apps, schema_editor):
    EmailTemplate = apps.get_model("nurture", "EmailTemplate")
    for name, subject, body in TEMPLATES:
        EmailTemplate.objects.get_or_create(name=name, defaults={"subject": subject, "body_text": body})


def remove_templates(apps, schema_editor):
    apps.get_model("nurture", "EmailTemplate").objects.filter(name__in=[t[0] for t in TEMPLATES]).delete()


def _record(to: str) -> models.ForeignKey:
    return models.ForeignKey(
        blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to=to
    )


class Migration(migrations.Migration):
    dependencies = [
        ("nurture", "0002_nurture_demo_sequence"),
        ("activities", "0001_initial"),
        ("contacts", "0002_initial"),
        ("leads", "0002_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="EmailTemplate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("name", models.CharField(max_length=150, unique=True)),
                ("subject", models.CharField(max_length=200)),
                ("body_text", models.TextField()),
                ("active", models.BooleanField(default=True, help_text="Off: no longer offered when composing.")),
            ],
            options={"ordering": ["name", "id"]},
        ),
        migrations.CreateModel(
            name="RecordEmail",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("to_email", models.EmailField(max_length=254)),
                ("subject", models.CharField(max_length=255)),
                ("body_text", models.TextField()),
                ("reply_token", models.CharField(max_length=32, unique=True)),
                ("message_id", models.CharField(max_length=255)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("sending", "Sending"),
                            ("sent", "Sent"),
                            ("failed", "Failed"),
                            ("cancelled", "Cancelled (no longer allowed to email)"),
                            ("unknown", "Unknown (sender stopped mid-send; never retried)"),
                        ],
                        default="queued",
                        max_length=10,
                    ),
                ),
                ("error", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                (
                    "activity",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="activities.activity",
                    ),
                ),
                ("contact", _record("contacts.contact")),
                ("lead", _record("leads.lead")),
                (
                    "sent_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "template",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="nurture.emailtemplate",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["to_email", "-created_at"], name="record_email_to_time"),
                    models.Index(fields=["status", "created_at"], name="record_email_status_time"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("contact__isnull", True), ("lead__isnull", False)),
                            models.Q(("contact__isnull", False), ("lead__isnull", True)),
                            _connector="OR",
                        ),
                        name="record_email_to_a_lead_or_a_contact",
                        violation_error_message="An email is written to one lead or one contact.",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="InboundEmail",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("message_id", models.CharField(max_length=255, unique=True)),
                ("from_email", models.CharField(max_length=254)),
                ("subject", models.CharField(blank=True, max_length=255)),
                (
                    "matched_by",
                    models.CharField(choices=[("token", "Reply token"), ("address", "Sender address")], max_length=10),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "activity",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="activities.activity",
                    ),
                ),
                ("contact", _record("contacts.contact")),
                ("lead", _record("leads.lead")),
                (
                    "record_email",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="replies",
                        to="nurture.recordemail",
                    ),
                ),
            ],
            options={"ordering": ["-created_at", "-id"]},
        ),
        migrations.RunPython(seed_templates, remove_templates),
    ]
