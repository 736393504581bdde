"""Fuzz every operation the router holds, as an admin with a real token: no 5xx, responses match the schema."""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.factories import AccountFactory, LeadFactory, UserFactory
from users.services import create_api_token

# Fuzzing phase only: the exhaustive coverage phase multiplies the run time past the suite's budget;
# tests/system/test_hostile_input.py pins the boundary cases it would find.
CONFIG = schemathesis.Config.from_dict(
    {"phases": {"coverage": {"enabled": False}, "examples": {"enabled": False}, "stateful": {"enabled": False}}}
)
pytestmark = pytest.mark.usefixtures("fresh_throttles")

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application(), config=CONFIG)


@pytest.fixture
def wsgi_keeps_the_test_connection():
    # Requests go through the real WSGI handler, whose request signals would close the test's connection
    # (and its transaction); Django's own test client detaches them the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(db, wsgi_keeps_the_test_connection):
    admin = UserFactory(username="fuzz-admin", role="admin")
    # A few records so generated small ids sometimes hit real rows.
    account = AccountFactory(owner=admin)
    LeadFactory(owner=admin)
    LeadFactory(owner=None)
    del account
    # The admin scope: a write token of an admin would reach the admin-only operations only as far as their 403.
    _, raw = create_api_token(user=admin, name="schemathesis", scope="admin")
    return raw


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_answers_every_generated_request_without_server_errors_and_as_documented(case, admin_token):
    cache.clear()  # throttles are per test, not across generated cases
    case.call_and_validate(
        headers={"Authorization": f"Token {admin_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
