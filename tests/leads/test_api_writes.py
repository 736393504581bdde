import pytest

from activities.models import Event
from leads.models import Lead, LeadStatusChange, WebForm
from tests.factories import LeadFactory
from users.services import create_api_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]


# --- bulk upsert ------------------------------------------------------------------------
def test_bulk_upsert_saves_valid_rows_and_reports_failed_ones_by_index(rep, other_rep, api):
    existing = LeadFactory(owner=rep, email="known@acme.test", city="")
    LeadFactory(owner=other_rep, email="hidden@acme.test")
    rows = [
        {"last_name": "New", "email": "new@acme.test"},
        {"email": "KNOWN@acme.test", "city": "Oslo"},
        {"last_name": "Bad", "email": "not-an-email"},
        {"last_name": "Clash", "email": "hidden@acme.test"},
        "not an object",
        {"email": "nameless@acme.test"},
    ]
    response = api(rep).post("/api/v1/leads/bulk/", {"leads": rows})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["updated"]) == (1, 1)
    assert [e["index"] for e in body["errors"]] == [2, 3, 4, 5]
    assert "email" in body["errors"][0]["errors"]
    assert "last_name" in body["errors"][3]["errors"]
    existing.refresh_from_db()
    assert existing.city == "Oslo"
    assert Lead.objects.filter(email="new@acme.test", owner=rep).exists()
    assert not Lead.objects.filter(email="nameless@acme.test").exists()


def test_bulk_upsert_refuses_more_than_1000_rows(rep, api):
    response = api(rep).post("/api/v1/leads/bulk/", {"leads": [{"last_name": "x"}] * 1001})
    assert response.status_code == 400
    assert "leads" in response.json()
    assert not Lead.objects.exists()


# --- create one lead -------------------------------------------------------------------
@pytest.mark.parametrize("creator", ["manager", "rep"])
def test_creating_one_lead_through_the_api_costs_at_most_eight_queries(
    creator, request, api, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    # given an integration's token, already used once (its last_used_at is stamped at most once a minute)
    user = request.getfixturevalue(creator)
    _, raw = create_api_token(user=user, name="web shop")
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    client.get("/api/v1/leads/?page_size=1")
    payload = {"first_name": "Ada", "last_name": "Lovelace", "email": "Ada@Example.com", "company": "Engines"}

    # when
    # 1 the token and its user; 2 the suppression list; 3 an open lead with the email (the unique index's own
    # test); 4 INSERT the lead; 5 INSERT its status history; 6 the active webhook endpoints (the outbox, inline);
    # 7-8 SAVEPOINT/RELEASE of the service's transaction (nested in the test's; BEGIN/COMMIT in production).
    # Scoring, assignment and nurture run after commit as tasks (their sweepers repair a lost kick); the response
    # reads no campaign touches back (a new lead's are known).
    with django_capture_on_commit_callbacks() as callbacks, django_assert_max_num_queries(8):
        response = client.post("/api/v1/leads/", payload)

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["email"], body["first_touch_campaign"], body["last_touch_campaign"]) == ("ada@example.com", None, None)
    lead = Lead.objects.get(pk=body["id"])
    assert lead.owner == (user if creator == "rep" else None)
    assert list(LeadStatusChange.objects.filter(lead=lead).values_list("from_status", "to_status")) == [("", "new")]
    reactions = {callback.subscriber.__name__ for callback in callbacks if hasattr(callback, "subscriber")}
    assert {"score_new_lead", "assign_new_lead"} <= reactions


# --- web-to-lead -----------------------------------------------------------------------
@pytest.fixture
def web_form(rep):
    return WebForm.objects.create(
        name="Pricing page",
        form_key="pricing-key",
        allowed_return_urls="https://acme.test/thanks",
        default_source="web",
    )


def test_web_to_lead_creates_an_unassigned_lead_from_a_form_post(web_form, client):
    response = client.post("/api/v1/web-to-lead/", {"form_key": "pricing-key", "last_name": "Doe", "email": "d@x.test"})
    assert response.status_code == 201
    lead = Lead.objects.get()
    assert (lead.owner, lead.source, lead.email) == (None, "web", "d@x.test")
    assert Event.objects.filter(lead=lead, kind="form_submitted").count() == 1


def test_web_to_lead_redirects_only_to_an_allowed_return_url(web_form, client):
    ok = client.post(
        "/api/v1/web-to-lead/",
        {"form_key": "pricing-key", "last_name": "Doe", "return_url": "https://acme.test/thanks"},
    )
    assert ok.status_code == 303 and ok["Location"] == "https://acme.test/thanks"
    evil = client.post(
        "/api/v1/web-to-lead/", {"form_key": "pricing-key", "last_name": "Roe", "return_url": "https://evil.test/"}
    )
    assert evil.status_code == 400 and "return_url" in evil.json()
    assert Lead.objects.count() == 1


def test_web_to_lead_reposting_the_same_email_updates_the_open_lead(web_form, client):
    for city in ["Oslo", "Bergen"]:
        client.post(
            "/api/v1/web-to-lead/", {"form_key": "pricing-key", "last_name": "Doe", "email": "D@x.test", "city": city}
        )
    lead = Lead.objects.get()
    assert lead.city == "Bergen"
    assert Event.objects.filter(lead=lead, kind="form_submitted").count() == 2


def test_web_to_lead_drops_a_filled_honeypot_silently(web_form, client):
    response = client.post("/api/v1/web-to-lead/", {"form_key": "pricing-key", "last_name": "Bot", "nickname": "x"})
    assert response.status_code == 201
    assert not Lead.objects.exists()


def test_web_to_lead_refuses_unknown_or_inactive_forms(web_form, client):
    web_form.is_active = False
    web_form.save()
    response = client.post("/api/v1/web-to-lead/", {"form_key": "pricing-key", "last_name": "Doe"})
    assert response.status_code == 400 and "form_key" in response.json()


def test_web_to_lead_is_throttled_per_ip(web_form, client, monkeypatch):
    from leads.api.web_to_lead import WebToLeadThrottle

    monkeypatch.setattr(WebToLeadThrottle, "THROTTLE_RATES", {"web_to_lead": "2/min"})
    codes = [
        client.post("/api/v1/web-to-lead/", {"form_key": "pricing-key", "last_name": f"D{i}"}).status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]
    assert Lead.objects.count() == 2
