# Sequences tag the leads they enrol with a campaign.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("nurture", "0003_record_email")]

    operations = []
