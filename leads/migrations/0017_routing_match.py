# Lead routing: where the lead is (state/region, postal code, for territories) and the customer account it matched.
import django.db.models.deletion
from django.db import migrations, models

from core.migration_ops import AddFieldInPlace


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_person_accounts"), ("leads", "0016_grade_qualification")]

    operations = [
        AddFieldInPlace(
            model_name="lead",
            name="matched_account",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                help_text="The customer account whose domain or name this lead matched when it was routed.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="matched_leads",
                to="accounts.account",
            ),
        ),
        AddFieldInPlace(
            model_name="lead",
            name="postal_code",
            field=models.CharField(blank=True, db_default="", default="", max_length=20),
        ),
        AddFieldInPlace(
            model_name="lead",
            name="state",
            field=models.CharField(blank=True, db_default="", default="", help_text="State or region.", max_length=100),
        ),
    ]
