# Email from a record, inbound replies and attachments (workspace issue).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("activities", "0007_tasks_calendar_reminders")]

    operations = []
