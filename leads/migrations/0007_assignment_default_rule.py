"""Seed the catch-all assignment rule: every lead no earlier rule matches is round-robined over all active reps."""

from django.db import migrations

DEFAULT_RULE_NAME = "Everyone else: round-robin over all reps"


def create_default_rule(apps, schema_editor):
    AssignmentRule = apps.get_model("leads", "AssignmentRule")
    if not AssignmentRule.objects.filter(name=DEFAULT_RULE_NAME).exists():
        AssignmentRule.objects.create(name=DEFAULT_RULE_NAME, order=1000, active=True, method="round_robin")


def delete_default_rule(apps, schema_editor):
    apps.get_model("leads", "AssignmentRule").objects.filter(name=DEFAULT_RULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0006_assignment_rules"),
    ]

    operations = [migrations.RunPython(create_default_rule, delete_default_rule)]
