"""A rep's lead list opens on their open leads, newest first: a partial index answers the page in one range."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0023_dashboard_cohort_grade_score"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                condition=models.Q(("status__in", ["converted", "unqualified"]), _negated=True),
                fields=["owner", "-created_at", "-id"],
                name="lead_owner_open_created",
            ),
        ),
    ]
