import importlib

import pytest
from django.apps import apps


@pytest.fixture
def default_stages(db):
    """Re-seed the default stages that a transactional test's flush may have removed."""
    migration = importlib.import_module("opportunities.migrations.0003_seed_stages")
    migration.seed_stages(apps, None)
