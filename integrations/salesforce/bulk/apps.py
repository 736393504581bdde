from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "integrations.salesforce.bulk"
    label = "sfbulk"
    verbose_name = "Salesforce Bulk API 2.0 jobs"
