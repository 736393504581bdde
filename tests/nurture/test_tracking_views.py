"""Open and click tracking end to end: what a sent email carries, what /t/o/ and /t/c/ record and answer, the
engagement it makes (timeline, score, exit on click), and everything that must not be counted or followed."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail, signing
from django.utils import timezone

from activities.models import Event
from activities.selectors import get_timeline
from leads.models import Lead
from nurture.models import Delivery, Enrollment, RecordEmail, TrackingHit
from nurture.services.enrollment import enroll_lead
from nurture.services.record_email import queue_record_email, send_record_email
from nurture.services.sending import send_due_steps
from nurture.tracking import CLICK_SALT
from scoring.services import score_lead
from tests.factories import ContactFactory, LeadFactory, SequenceFactory, StepFactory, UserFactory

pytestmark = pytest.mark.django_db

CRLF_URL = "https://ok.example/\r\nSet-Cookie: x=1"
BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5"
HTML = (
    '<p>Hi {{ first_name }}, read <a href="https://docs.example/guide?a=1&amp;b=2">the guide</a> or '
    "<a href='http://blog.example/post'>the post</a>, <a href=\"mailto:sales@example.test\">mail us</a>.</p>"
    '<p><a href="{{ unsubscribe_url }}">Stop these emails</a></p>'
)


@pytest.fixture(autouse=True)
def _tracking_on(settings):
    settings.FUNNEL_EMAIL_TRACKING = True
    settings.FUNNEL_TRACKING_BOT_SECONDS = 5


@pytest.fixture
def lead(rep):
    # Phone and a manager's title: a fit above zero, so engagement points show in the clamped score.
    return LeadFactory(
        owner=rep,
        first_name="Ada",
        company="Engines",
        email="ada@engines.example",
        phone="+1 555 0100",
        title="Engineering manager",
    )


@pytest.fixture
def html_sequence(db):
    sequence = SequenceFactory(name="Guides")
    StepFactory(sequence=sequence, order=1, subject="Guide for {{ first_name }}", body_html=HTML)
    StepFactory(sequence=sequence, order=2, delay_days=3, subject="More")
    return sequence


def send_first_step(lead, sequence, rep, *, age=timedelta(hours=1)):
    """Enrol, send the first step, and let `age` pass since it was sent (prefetchers come within seconds)."""
    enrollment = enroll_lead(lead, sequence=sequence, by=rep)
    assert send_due_steps() == 1
    Delivery.objects.update(sent_at=timezone.now() - age)
    return enrollment, Delivery.objects.get(enrollment=enrollment), mail.outbox[-1]


def html_of(message) -> str:
    return next(content for content, kind in message.alternatives if kind == "text/html")


def links(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'<a\b[^>]*href="([^"]*)"', html)]


def pixel(html: str) -> str:
    return unescape(re.search(r'<img src="([^"]*)" width="1" height="1"', html).group(1))


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_a_sent_step_carries_the_pixel_and_tracked_links_but_not_the_unsubscribe_link(
    client, lead, html_sequence, rep, settings
):
    _, delivery, message = send_first_step(lead, html_sequence, rep)
    html = html_of(message)
    token = delivery.tracking_token

    assert pixel(html) == f"{settings.SITE_URL}/t/o/{token}"
    hrefs = links(html)
    assert [h.startswith(f"{settings.SITE_URL}/t/c/{token}?u=") for h in hrefs] == [True, True, False, False]
    assert hrefs[2] == "mailto:sales@example.test"
    assert hrefs[3].startswith(f"{settings.SITE_URL}/unsubscribe/")
    assert "docs.example" not in html and "blog.example" not in html  # nothing readable to bypass the tracker
    assert client.get(path_of(hrefs[0]), HTTP_USER_AGENT=BROWSER)["Location"] == "https://docs.example/guide?a=1&b=2"
    assert client.get(path_of(hrefs[1]), HTTP_USER_AGENT=BROWSER)["Location"] == "http://blog.example/post"
    assert message.extra_headers["List-Unsubscribe"].strip("<>") == hrefs[3]


def test_a_step_without_html_gets_an_html_part_with_the_pixel_and_its_links_tracked(client, lead, rep, settings):
    sequence = SequenceFactory()
    StepFactory(sequence=sequence, order=1, body_text="Hello {{ first_name }}, see https://example.org/pricing now.")
    _, delivery, message = send_first_step(lead, sequence, rep)

    html = html_of(message)
    assert "https://example.org/pricing" in message.body  # the plain part stays readable
    assert pixel(html).endswith(f"/t/o/{delivery.tracking_token}")
    tracked = [h for h in links(html) if "/t/c/" in h]
    assert len(tracked) == 1
    assert client.get(path_of(tracked[0]), HTTP_USER_AGENT=BROWSER)["Location"] == "https://example.org/pricing"


def test_the_first_open_is_recorded_once_with_its_time_shows_on_the_timeline_and_moves_the_score(
    client, lead, html_sequence, rep, django_capture_on_commit_callbacks
):
    _, delivery, message = send_first_step(lead, html_sequence, rep)
    score_lead(lead.pk)
    before = Lead.objects.get(pk=lead.pk).score
    url = path_of(pixel(html_of(message)))

    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(url, HTTP_USER_AGENT=BROWSER)
    hit = TrackingHit.objects.get()
    first_at = hit.first_at
    for _ in range(2):
        again = client.get(url, HTTP_USER_AGENT=BROWSER)

    assert first.status_code == again.status_code == 200
    assert first["Content-Type"] == "image/gif" and first.content.startswith(b"GIF89a")
    assert "no-cache" in first["Cache-Control"] and "no-store" in first["Cache-Control"]
    hit.refresh_from_db()
    assert (hit.delivery, hit.kind, hit.is_bot, hit.count) == (delivery, "open", False, 3)
    assert hit.first_at == first_at and hit.last_at > first_at and hit.user_agent == BROWSER
    assert Event.objects.filter(kind="nurture_opened", lead=lead).count() == 1
    timeline = get_timeline(rep, lead=lead)
    opened = [item for item in timeline if item.kind == "nurture_opened"]
    assert len(opened) == 1 and opened[0].label == "Email opened" and opened[0].title == "Opened “Guides” email 1"
    assert Lead.objects.get(pk=lead.pk).score > before


def test_a_click_redirects_is_recorded_once_and_moves_the_score(
    client, lead, html_sequence, rep, django_capture_on_commit_callbacks
):
    _, delivery, message = send_first_step(lead, html_sequence, rep)
    score_lead(lead.pk)
    before = Lead.objects.get(pk=lead.pk).score
    guide, post = (path_of(h) for h in links(html_of(message))[:2])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(guide, HTTP_USER_AGENT=BROWSER)
    client.get(post, HTTP_USER_AGENT=BROWSER)

    assert response.status_code == 302 and response["Referrer-Policy"] == "no-referrer"
    hit = TrackingHit.objects.get(kind="click")
    assert (hit.url, hit.count, hit.is_bot) == ("https://docs.example/guide?a=1&b=2", 2, False)
    event = Event.objects.get(kind="nurture_clicked", lead=lead)
    assert event.data["url"] == "https://docs.example/guide?a=1&b=2" and event.data["delivery"] == delivery.pk
    assert Lead.objects.get(pk=lead.pk).score > before


@pytest.mark.parametrize(
    ("method", "agent", "age", "reason"),
    [
        ("head", BROWSER, timedelta(hours=1), "HEAD request"),
        ("get", "Mozilla/5.0 (compatible; Barracuda Sentinel)", timedelta(hours=1), "known agent: barracuda"),
        ("get", "Mozilla/5.0", timedelta(hours=1), "prefetch agent: Mozilla/5.0"),
        ("get", "", timedelta(hours=1), "no user agent"),
        ("get", BROWSER, timedelta(seconds=1), "within 5 s of sending"),
    ],
)
def test_bots_and_prefetchers_are_flagged_and_not_counted(client, lead, html_sequence, rep, method, agent, age, reason):
    _, _, message = send_first_step(lead, html_sequence, rep, age=age)
    html = html_of(message)
    request = getattr(client, method)

    opened = request(path_of(pixel(html)), HTTP_USER_AGENT=agent)
    clicked = request(path_of(links(html)[0]), HTTP_USER_AGENT=agent)

    assert opened.status_code == 200 and clicked.status_code == 302
    assert {(h.kind, h.is_bot, h.bot_reason) for h in TrackingHit.objects.all()} == {
        ("open", True, reason),
        ("click", True, reason),
    }
    assert not Event.objects.filter(kind__in=["nurture_opened", "nurture_clicked"]).exists()


def test_a_person_after_a_bot_is_still_counted_once(client, lead, html_sequence, rep):
    _, _, message = send_first_step(lead, html_sequence, rep)
    url = path_of(pixel(html_of(message)))

    client.head(url, HTTP_USER_AGENT=BROWSER)
    client.get(url, HTTP_USER_AGENT=BROWSER)
    client.get(url, HTTP_USER_AGENT="Mimecast scanner")

    assert sorted((h.is_bot, h.count) for h in TrackingHit.objects.all()) == [(False, 1), (True, 2)]
    assert Event.objects.filter(kind="nurture_opened").count() == 1


def test_exit_on_click_stops_the_enrollment_in_that_sequence_only(client, lead, html_sequence, rep, sequence):
    html_sequence.exit_on_click = True
    html_sequence.save(update_fields=["exit_on_click"])
    enrollment, _, message = send_first_step(lead, html_sequence, rep)
    other = enroll_lead(lead, sequence=sequence, by=rep)

    client.get(path_of(links(html_of(message))[0]), HTTP_USER_AGENT=BROWSER)

    enrollment.refresh_from_db()
    other.refresh_from_db()
    assert enrollment.status == Enrollment.Status.STOPPED
    assert enrollment.stop_reason == Enrollment.StopReason.CLICKED
    assert other.status == Enrollment.Status.ACTIVE
    assert Event.objects.get(kind="nurture_stopped", lead=lead).summary == "Nurture “Guides” stopped: clicked a link"


def test_without_exit_on_click_a_click_does_not_stop_nurture(client, lead, html_sequence, rep):
    enrollment, _, message = send_first_step(lead, html_sequence, rep)

    client.get(path_of(links(html_of(message))[0]), HTTP_USER_AGENT=BROWSER)

    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE


def _tampered(query: str) -> str:
    signed = parse_qs(query)["u"][0]
    return signed[:-3] + ("AAA" if signed[-3:] != "AAA" else "BBB")


def test_only_urls_that_were_in_that_email_are_followed(client, lead, html_sequence, rep):
    _, delivery, message = send_first_step(lead, html_sequence, rep)
    other_lead = LeadFactory(owner=rep, email="grace@navy.example")
    enroll_lead(other_lead, sequence=html_sequence, by=rep)
    send_due_steps()
    other = Delivery.objects.exclude(pk=delivery.pk).get()
    Delivery.objects.filter(pk=other.pk).update(sent_at=timezone.now() - timedelta(hours=1))
    token, other_token = delivery.tracking_token, other.tracking_token
    other_link = urlsplit(links(html_of(mail.outbox[-1]))[0])
    own = urlsplit(links(html_of(message))[0])

    def forged(url: str, tok: str = token) -> str:
        return signing.dumps([tok, url], salt="wrong-salt", compress=True)

    attempts = [
        f"/t/c/{token}?{other_link.query}",  # another email's link under this token
        f"/t/c/{other_token}?{own.query}",  # this email's link under another token
        f"/t/c/{token}?u={_tampered(own.query)}",
        f"/t/c/{token}",
        f"/t/c/{token}?u=https://evil.example/",
        f"/t/c/{token}?u={forged('https://evil.example/')}",
        f"/t/c/{token}?u={signing.dumps([token, 'javascript:alert(1)'], salt=CLICK_SALT, compress=True)}",
        f"/t/c/{token}?u={signing.dumps([token, '//evil.example/x'], salt=CLICK_SALT, compress=True)}",
        f"/t/c/{token}?u={signing.dumps([token, 'https://ok.example/%0d%0aSet-Cookie:x'], salt=CLICK_SALT)}",
        f"/t/c/{token}?u={signing.dumps([token, CRLF_URL], salt=CLICK_SALT)}",
        f"/t/c/{token}?u={signing.dumps({'t': token}, salt=CLICK_SALT)}",
    ]
    answers = [client.get(url, HTTP_USER_AGENT=BROWSER) for url in attempts]

    assert [a.status_code for a in answers[:8]] == [404] * 8
    # A correctly signed URL that escapes CR/LF is a plain http URL: it redirects, with the escapes kept.
    assert answers[8].status_code == 302 and answers[8]["Location"] == "https://ok.example/%0d%0aSet-Cookie:x"
    assert [a.status_code for a in answers[9:]] == [404, 404]
    assert list(TrackingHit.objects.filter(kind="click").values_list("url", flat=True)) == [
        "https://ok.example/%0d%0aSet-Cookie:x"
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/t/o/nope",
        "/t/o/" + "A" * 22,
        "/t/o/" + "x" * 500,
        "/t/o/%00%ff",
        "/t/o/'%20OR%201=1--aaaaaaaaaaaaaa",
        "/t/c/nope?u=x",
        "/t/c/" + "A" * 22 + "?u=" + "B" * 10_000,
        "/t/c/%E2%80%AE?u=%00",
    ],
)
def test_garbage_tracking_urls_are_404_not_500(client, db, path):
    response = client.get(path)

    assert response.status_code == 404
    assert not TrackingHit.objects.exists()


def test_tracking_endpoints_refuse_other_methods(client, lead, html_sequence, rep):
    _, _, message = send_first_step(lead, html_sequence, rep)

    assert client.post(path_of(pixel(html_of(message)))).status_code == 405
    assert not TrackingHit.objects.exists()


@pytest.mark.parametrize(
    "opt_out",
    [
        {"do_not_contact": True},
        {"unsubscribed_at": timezone.now()},
    ],
)
def test_a_lead_that_opted_out_gets_no_tracking_and_later_hits_are_not_recorded(
    client, lead, html_sequence, rep, opt_out
):
    _, _, message = send_first_step(lead, html_sequence, rep)
    Lead.objects.filter(pk=lead.pk).update(**opt_out)

    assert client.get(path_of(pixel(html_of(message))), HTTP_USER_AGENT=BROWSER).status_code == 200
    assert client.get(path_of(links(html_of(message))[0]), HTTP_USER_AGENT=BROWSER).status_code == 302
    assert not TrackingHit.objects.exists() and not Event.objects.filter(kind="nurture_opened").exists()


def test_the_global_switch_off_means_no_pixel_no_rewritten_link_and_nothing_recorded(
    client, lead, html_sequence, rep, settings
):
    settings.FUNNEL_EMAIL_TRACKING = False
    _, delivery, message = send_first_step(lead, html_sequence, rep)
    html = html_of(message)

    assert "/t/o/" not in html and "/t/c/" not in html
    assert "https://docs.example/guide?a=1&amp;b=2" in html
    assert client.get(f"/t/o/{delivery.tracking_token}", HTTP_USER_AGENT=BROWSER).status_code == 200
    assert not TrackingHit.objects.exists()


def test_a_step_without_html_gets_no_html_part_when_tracking_is_off(lead, rep, settings):
    settings.FUNNEL_EMAIL_TRACKING = False
    sequence = SequenceFactory()
    StepFactory(sequence=sequence, order=1)

    _, _, message = send_first_step(lead, sequence, rep)

    assert message.alternatives == []


def test_an_email_from_a_lead_page_is_tracked_with_the_same_engagement_kinds(
    client, lead, rep, django_capture_on_commit_callbacks
):
    email = queue_record_email(lead, by=rep, subject="Hello", body="See https://example.org/demo for a demo.")
    assert send_record_email(email.pk)
    RecordEmail.objects.filter(pk=email.pk).update(sent_at=timezone.now() - timedelta(hours=1))
    html = html_of(mail.outbox[-1])
    score_lead(lead.pk)
    before = Lead.objects.get(pk=lead.pk).score

    with django_capture_on_commit_callbacks(execute=True):
        client.get(path_of(pixel(html)), HTTP_USER_AGENT=BROWSER)
        click = client.get(path_of(next(h for h in links(html) if "/t/c/" in h)), HTTP_USER_AGENT=BROWSER)

    assert click["Location"] == "https://example.org/demo"
    assert {(h.record_email_id, h.kind) for h in TrackingHit.objects.all()} == {(email.pk, "open"), (email.pk, "click")}
    assert Event.objects.get(kind="nurture_opened", lead=lead).summary == "Opened email “Hello”"
    assert Event.objects.filter(kind="nurture_clicked", lead=lead).count() == 1
    assert Lead.objects.get(pk=lead.pk).score > before


def test_an_open_of_an_email_to_a_contact_lands_on_the_contacts_timeline(client, rep):
    contact = ContactFactory(owner=rep, email="bob@customer.example")
    email = queue_record_email(contact, by=rep, subject="Renewal", body="Hi")
    assert send_record_email(email.pk)
    RecordEmail.objects.filter(pk=email.pk).update(sent_at=timezone.now() - timedelta(hours=1))

    client.get(path_of(pixel(html_of(mail.outbox[-1]))), HTTP_USER_AGENT=BROWSER)

    assert Event.objects.get(kind="nurture_opened").contact == contact


def test_an_email_from_a_record_is_plain_text_only_when_tracking_is_off(lead, rep, settings):
    settings.FUNNEL_EMAIL_TRACKING = False
    email = queue_record_email(lead, by=rep, subject="Hello", body="See https://example.org/demo")

    assert send_record_email(email.pk)
    assert mail.outbox[-1].alternatives == []


def test_exit_on_click_is_set_through_the_api_and_offered_in_the_admin(api, client, manager, html_sequence):
    response = api(manager).patch(f"/api/v1/sequences/{html_sequence.pk}/", {"exit_on_click": True}, format="json")

    assert response.status_code == 200 and response.json()["exit_on_click"] is True
    html_sequence.refresh_from_db()
    assert html_sequence.exit_on_click is True
    client.force_login(UserFactory(username="root", role="admin", is_staff=True, is_superuser=True))
    assert 'name="exit_on_click"' in client.get(f"/admin/nurture/sequence/{html_sequence.pk}/change/").content.decode()


def test_hits_are_listed_in_the_admin(client, lead, html_sequence, rep):
    _, _, message = send_first_step(lead, html_sequence, rep)
    client.get(path_of(pixel(html_of(message))), HTTP_USER_AGENT="Mimecast")
    client.force_login(UserFactory(username="root", role="admin", is_staff=True, is_superuser=True))

    page = client.get("/admin/nurture/trackinghit/")

    assert page.status_code == 200 and "known agent: mimecast" in page.content.decode()
