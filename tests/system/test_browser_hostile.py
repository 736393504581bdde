"""In a real browser: markup typed into every lead, account and contact field renders as text on every page,
and the main pages run under the Content-Security-Policy without a single violation."""

from __future__ import annotations

import pytest
from django.db import models

from accounts.models import Account
from activities.models import Activity
from contacts.models import Contact
from leads.models import Lead
from nurture.services.enrollment import enroll_lead
from opportunities.models import Opportunity
from tests.factories import (
    PASSWORD,
    AccountFactory,
    ActivityFactory,
    ContactFactory,
    LeadFactory,
    OpportunityFactory,
    SequenceFactory,
    StepFactory,
    UserFactory,
)

PAYLOADS = [
    '<img src=x onerror=alert("xss")>',
    '"><svg onload=alert(1)>',
    "';alert(2);//</script><script>alert(3)</script>",
]
SHORT = "<svg onload=alert()>"  # fits a 20-character field
# What a payload that escaped would have turned into.
INJECTED = "img[src='x'], svg[onload], [onerror], [onload], script:not([src])"
# Listens from before any page script runs; the page's CSP does not apply to it.
CSP_LISTENER = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile));"
)

pytestmark = [pytest.mark.chromium, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("default_stages")]


@pytest.fixture
def page(new_context):
    context = new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.dialogs, page.console_violations = [], []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and page.console_violations.append(message.text),
    )
    return page


def _hostile_text_fields(model) -> dict[str, str]:
    """Every free-text field of `model` a user can write, filled with a payload that fits it."""
    values = {}
    for n, field in enumerate(model._meta.concrete_fields):
        if not isinstance(field, models.CharField | models.TextField) or isinstance(field, models.EmailField):
            continue
        if field.choices or not field.editable or field.name in {"domain"}:
            continue
        payload = PAYLOADS[n % len(PAYLOADS)]
        values[field.name] = payload if not field.max_length or field.max_length >= len(payload) else SHORT
    return values


def _sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def _visit(page, url: str) -> list[str]:
    """Open `url`, wait for it to settle, and return the CSP violations it raised."""
    response = page.goto(url)
    assert response.status == 200, url
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__csp")


def test_markup_in_every_lead_account_and_contact_field_renders_as_text_on_every_page(page, live_server):
    boss = UserFactory(username="boss", role="admin", is_staff=True, is_superuser=True)
    account = AccountFactory(owner=boss, **_hostile_text_fields(Account))
    contact = ContactFactory(owner=boss, account=account, **_hostile_text_fields(Contact))
    deal = OpportunityFactory(owner=boss, account=account, **_hostile_text_fields(Opportunity))
    lead = LeadFactory(owner=boss, email="hostile@example.test", **_hostile_text_fields(Lead))
    ActivityFactory(
        kind=Activity.Kind.TASK, owner=boss, lead=lead, subject=PAYLOADS[0], body=PAYLOADS[1], due_at=lead.created_at
    )
    sequence = SequenceFactory(name=PAYLOADS[2])
    StepFactory(sequence=sequence, order=1, subject=PAYLOADS[0])
    enroll_lead(lead, sequence=sequence, by=boss)
    _sign_in(page, live_server, "boss")

    pages = [
        "/", "/tasks/", "/leads/", f"/leads/{lead.pk}/", f"/leads/{lead.pk}/edit/", f"/leads/{lead.pk}/convert/",
        "/accounts/", f"/accounts/{account.pk}/", "/contacts/", f"/contacts/{contact.pk}/",
        f"/contacts/{contact.pk}/edit/", "/opportunities/", f"/opportunities/{deal.pk}/",
        "/opportunities/board/", "/dashboard/",
        f"/admin/leads/lead/{lead.pk}/change/", f"/admin/accounts/account/{account.pk}/change/",
    ]  # fmt: skip
    shown_as_text = set()
    for path in pages:
        _visit(page, f"{live_server.url}{path}")
        assert page.locator(INJECTED).count() == 0, path
        text = page.inner_text("body")
        shown_as_text |= {payload for payload in (*PAYLOADS, SHORT) if payload in text}

    assert page.dialogs == []
    assert shown_as_text == {*PAYLOADS, SHORT}  # the payloads were on the pages, as text


def test_the_main_pages_run_under_the_content_security_policy_without_violations(page, live_server):
    boss = UserFactory(username="boss", role="admin", is_staff=True, is_superuser=True)
    account = AccountFactory(owner=boss, name="Acme")
    OpportunityFactory(owner=boss, account=account, name="Big deal")
    lead = LeadFactory(owner=boss, company="Acme", email="ada@acme.test")

    violations = {"/login/": _visit(page, f"{live_server.url}/login/")}
    _sign_in(page, live_server, "boss")
    for path in [
        "/leads/", f"/leads/{lead.pk}/", f"/leads/{lead.pk}/convert/", "/opportunities/board/", "/dashboard/",
        "/accounts/", f"/accounts/{account.pk}/", "/admin/", f"/admin/leads/lead/{lead.pk}/change/", "/api/v1/docs/",
    ]:  # fmt: skip
        violations[path] = _visit(page, f"{live_server.url}{path}")
    page.wait_for_selector(".swagger-ui .info")  # the API docs' own script ran and drew the page

    assert {path: found for path, found in violations.items() if found} == {}
    assert page.console_violations == []
