# Email from a record: templates reps pick from and one-off sends (workspace issue).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("nurture", "0002_nurture_demo_sequence")]

    operations = []
