# Lead routing: the customer account a lead matches.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("leads", "0016_grade_qualification")]

    operations = []
