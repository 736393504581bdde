from django.db import migrations

DEFAULT_STAGES = [
    # name, order, probability, is_closed, is_won, forecast_category
    ("Prospecting", 1, 10, False, False, "pipeline"),
    ("Qualification", 2, 20, False, False, "pipeline"),
    ("Needs Analysis", 3, 40, False, False, "pipeline"),
    ("Proposal", 4, 60, False, False, "best_case"),
    ("Negotiation", 5, 80, False, False, "commit"),
    ("Closed Won", 6, 100, True, True, "closed"),
    ("Closed Lost", 7, 0, True, False, "omitted"),
]


def seed_stages(apps, schema_editor):
    Stage = apps.get_model("opportunities", "Stage")
    for name, order, probability, is_closed, is_won, forecast in DEFAULT_STAGES:
        Stage.objects.get_or_create(
            name=name,
            defaults={
                "order": order, "probability": probability, "is_closed": is_closed,
                "is_won": is_won, "forecast_category": forecast,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0002_initial")]

    operations = [migrations.RunPython(seed_stages, migrations.RunPython.noop)]
