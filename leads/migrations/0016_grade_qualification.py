# Grade and qualification checklist (BANT / MEDDIC) on leads.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("leads", "0015_move_scoring_assignment_imports_out")]

    operations = []
