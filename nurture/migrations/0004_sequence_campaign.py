# Sequences tag the leads they enrol with a campaign.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial"), ("nurture", "0003_record_email")]

    operations = [
        migrations.AddField(
            model_name="sequence",
            name="campaign",
            field=models.ForeignKey(
                blank=True,
                help_text="A lead sent a step of this sequence becomes a member of this campaign (status sent).",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="sequences",
                to="campaigns.campaign",
            ),
        ),
    ]
