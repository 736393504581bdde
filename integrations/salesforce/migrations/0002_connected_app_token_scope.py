from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("salesforce", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="connectedapp",
            name="token_scope",
            field=models.CharField(
                choices=[("read", "Read only"), ("write", "Read and write"), ("admin", "Administration")],
                default="write",
                help_text="The scope of the tokens this app obtains; admin is given only to admins (others get write).",
                max_length=5,
            ),
        ),
    ]
