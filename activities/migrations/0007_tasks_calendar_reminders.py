# Tasks, calendar, reminders, notifications and call outcomes (workspace issue).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("activities", "0006_lean_indexes")]

    operations = []
