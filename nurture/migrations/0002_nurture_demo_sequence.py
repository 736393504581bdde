from django.db import migrations

STEPS = [
    (
        1,
        0,
        "Welcome, {{ first_name }}",
        "Hi {{ first_name }},\n\nThanks for your interest in Funnel CRM. Over the next days we'll send you a "
        "few short notes on how teams like {{ company }} run their funnel.\n\n{{ owner_name }}\n\n"
        "Unsubscribe: {{ unsubscribe_url }}\n",
        "<p>Hi {{ first_name }},</p><p>Thanks for your interest in Funnel CRM. Over the next days we'll send you "
        "a few short notes on how teams like {{ company }} run their funnel.</p><p>{{ owner_name }}</p>"
        '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
    ),
    (
        2,
        2,
        "How {{ company }} can score its leads",
        "Hi {{ first_name }},\n\nScoring rules turn a long list of leads into a short list of calls.\n\n"
        "{{ owner_name }}\n\nUnsubscribe: {{ unsubscribe_url }}\n",
        "",
    ),
    (
        3,
        5,
        "Ready for a demo, {{ first_name }}?",
        "Hi {{ first_name }},\n\nReply to this email and we'll set up a 20-minute demo for {{ company }}.\n\n"
        "{{ owner_name }}\n\nUnsubscribe: {{ unsubscribe_url }}\n",
        "",
    ),
]


def create_demo_sequence(apps, schema_editor):
    Sequence = apps.get_model("nurture", "Sequence")
    Step = apps.get_model("nurture", "Step")
    sequence, created = Sequence.objects.get_or_create(
        name="Welcome nurture",
        defaults={
            "description": "Demo: three emails over five days. Enrol leads by hand.",
            "trigger": "manual",
            # Every day, all day, so the demo sends its first email at once whenever it is tried.
            "send_days": "0123456",
            "send_start_hour": 0,
            "send_end_hour": 24,
            "time_zone": "UTC",
        },
    )
    if created:
        Step.objects.bulk_create(
            Step(sequence=sequence, order=order, delay_days=days, subject=subject, body_text=text, body_html=html)
            for order, days, subject, text, html in STEPS
        )


def remove_demo_sequence(apps, schema_editor):
    Sequence = apps.get_model("nurture", "Sequence")
    Sequence.objects.filter(name="Welcome nurture", enrollments__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("nurture", "0001_nurture_models")]

    operations = [migrations.RunPython(create_demo_sequence, remove_demo_sequence)]
