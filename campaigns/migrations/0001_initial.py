# Campaigns and their members.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contacts', '0002_initial'),
        ('leads', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Campaign',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('name', models.CharField(max_length=255)),
                ('type', models.CharField(choices=[('webinar', 'Webinar'), ('trade_show', 'Trade show'), ('email', 'Email'), ('paid_social', 'Paid social'), ('content', 'Content'), ('event', 'Event'), ('other', 'Other')], default='other', max_length=20)),
                ('status', models.CharField(choices=[('planned', 'Planned'), ('in_progress', 'In progress'), ('completed', 'Completed'), ('aborted', 'Aborted')], default='planned', max_length=20)),
                ('start_date', models.DateField(blank=True, null=True)),
                ('end_date', models.DateField(blank=True, null=True)),
                ('budgeted_cost', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True)),
                ('actual_cost', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True)),
                ('description', models.TextField(blank=True)),
                ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='campaigns.campaign')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='CampaignMember',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('planned', 'Planned'), ('sent', 'Sent'), ('opened', 'Opened'), ('clicked', 'Clicked'), ('registered', 'Registered'), ('attended', 'Attended'), ('no_show', 'No show'), ('responded', 'Responded')], default='sent', max_length=20)),
                ('first_responded_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(db_index=True, help_text='When the lead or contact became a member.')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='members', to='campaigns.campaign')),
                ('contact', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='campaign_memberships', to='contacts.contact')),
                ('lead', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='campaign_memberships', to='leads.lead')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('budgeted_cost__isnull', True), ('budgeted_cost__gte', 0), _connector='OR'), name='campaign_budget_gte_0'),
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('actual_cost__isnull', True), ('actual_cost__gte', 0), _connector='OR'), name='campaign_actual_cost_gte_0'),
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('start_date__isnull', True), ('end_date__isnull', True), ('end_date__gte', models.F('start_date')), _connector='OR'), name='campaign_ends_after_start', violation_error_message='The end date must not be before the start date.'),
        ),
        migrations.AddIndex(
            model_name='campaignmember',
            index=models.Index(fields=['lead', 'created_at', 'id'], name='campaign_member_lead_time'),
        ),
        migrations.AddConstraint(
            model_name='campaignmember',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('lead__isnull', False), ('contact__isnull', True)), models.Q(('lead__isnull', True), ('contact__isnull', False)), _connector='OR'), name='campaign_member_lead_xor_contact', violation_error_message='A member is either a lead or a contact.'),
        ),
        migrations.AddConstraint(
            model_name='campaignmember',
            constraint=models.UniqueConstraint(condition=models.Q(('lead__isnull', False)), fields=('campaign', 'lead'), name='campaign_member_unique_lead'),
        ),
        migrations.AddConstraint(
            model_name='campaignmember',
            constraint=models.UniqueConstraint(condition=models.Q(('contact__isnull', False)), fields=('campaign', 'contact'), name='campaign_member_unique_contact'),
        ),
    ]
