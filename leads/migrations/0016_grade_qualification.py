# Grade and qualification checklist (BANT / MEDDIC) on leads.
#
# SQLite adds each column in place (AddFieldInPlace): a table rebuild would re-create the "DESC NULLS LAST" sort
# indexes of 0008, which SQLite cannot express. PostgreSQL adds them as usual.
from django.db import migrations, models

from core.migration_ops import AddFieldInPlace


class Migration(migrations.Migration):
    dependencies = [("leads", "0015_move_scoring_assignment_imports_out")]

    operations = [
        AddFieldInPlace(
            model_name="lead",
            name="authority",
            field=models.CharField(blank=True, db_default="", default="", max_length=255),
        ),
        AddFieldInPlace(
            model_name="lead",
            name="budget_amount",
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True),
        ),
        AddFieldInPlace(
            model_name="lead",
            name="budget_confirmed",
            field=models.BooleanField(db_default=False, default=False),
        ),
        AddFieldInPlace(
            model_name="lead",
            name="champion",
            field=models.CharField(blank=True, db_default="", default="", max_length=255),
        ),
        AddFieldInPlace(
            model_name="lead",
            name="decision_criteria",
            field=models.CharField(blank=True, db_default="", default="", max_length=1000),
        ),
        AddFieldInPlace(
            model_name="lead",
            name="decision_process",
            field=models.CharField(blank=True, db_default="", default="", max_length=1000),
        ),
        AddFieldInPlace(
            model_name="lead",
            name="economic_buyer",
            field=models.CharField(blank=True, db_default="", default="", max_length=255),
        ),
        AddFieldInPlace(
            model_name="lead",
            name="grade",
            field=models.CharField(
                blank=True,
                choices=[("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")],
                db_default="",
                default="",
                max_length=1,
            ),
        ),
        AddFieldInPlace(
            model_name="lead",
            name="identify_pain",
            field=models.CharField(blank=True, db_default="", default="", max_length=1000),
        ),
        AddFieldInPlace(
            model_name="lead",
            name="metrics",
            field=models.CharField(blank=True, db_default="", default="", max_length=1000),
        ),
        AddFieldInPlace(
            model_name="lead",
            name="need",
            field=models.CharField(blank=True, db_default="", default="", max_length=1000),
        ),
        AddFieldInPlace(
            model_name="lead",
            name="timeline_date",
            field=models.DateField(blank=True, help_text="Expected purchase date.", null=True),
        ),
    ]
