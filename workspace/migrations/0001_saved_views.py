# Saved list views (filters, sort, columns), private or shared with a team.

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('users', '0003_sales_function_level_skills'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SavedView',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('list_key', models.CharField(choices=[('leads', 'Leads'), ('accounts', 'Accounts'), ('contacts', 'Contacts'), ('opportunities', 'Opportunities')], max_length=20)),
                ('name', models.CharField(max_length=80)),
                ('query', models.CharField(blank=True, help_text="The list's query string: filters, sort= and cols=, no page cursor.", max_length=2000)),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='saved_views', to=settings.AUTH_USER_MODEL)),
                ('shared_with_team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='saved_views', to='users.team')),
            ],
            options={
                'ordering': ['list_key', 'name', 'id'],
                'indexes': [models.Index(fields=['shared_with_team', 'list_key'], name='saved_view_team')],
                'constraints': [models.UniqueConstraint(models.F('owner'), models.F('list_key'), django.db.models.functions.text.Lower('name'), name='saved_view_name_unique_per_owner_list', violation_error_message='You already have a view with this name on this list.')],
            },
        ),
    ]
