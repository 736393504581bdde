"""Email from a lead's or contact's page: compose, template, preview, send once, refusals, and who may do it."""

from datetime import timedelta
from email.utils import parseaddr

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from leads.models import Lead
from nurture.models import EmailTemplate, RecordEmail
from nurture.services.record_email import queue_record_email, send_record_email, sweep_record_emails
from nurture.tasks import send_record_email_task
from tests.factories import AccountFactory, ContactFactory, LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]


@pytest.fixture(autouse=True)
def _reply_domain(settings):
    settings.FUNNEL_REPLY_DOMAIN = "replies.example"
    settings.DEFAULT_FROM_EMAIL = "Funnel CRM <crm@example.test>"


@pytest.fixture
def lead(rep):
    return LeadFactory(
        owner=rep, first_name="Ada", last_name="Lovelace", company="Engines", email="ada@engines.example"
    )


@pytest.fixture
def template(db):
    return EmailTemplate.objects.create(
        name="Check-in", subject="Hello {{ first_name }}", body_text="How is {{ company }}? — {{ owner_name }}"
    )


def _url(record) -> str:
    kind = record._meta.model_name
    return reverse(f"nurture:{kind}_email", args=[record.pk])


def test_the_compose_page_shows_the_records_address_read_only_and_the_templates(client, rep, lead, template):
    client.force_login(rep)

    response = client.get(_url(lead))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'value="ada@engines.example" readonly' in content
    assert f'<option value="{template.pk}">Check-in</option>' in content


def test_picking_a_template_fills_subject_and_body_to_edit(client, rep, lead, template):
    client.force_login(rep)

    response = client.post(_url(lead), {"action": "template", "template": template.pk})

    form = response.context["form"]
    assert form.initial["subject"] == "Hello {{ first_name }}"
    assert form.initial["body"] == "How is {{ company }}? — {{ owner_name }}"
    assert not RecordEmail.objects.exists()


def test_the_preview_shows_the_email_as_the_lead_gets_it_and_writes_nothing(client, rep, lead, template):
    Lead.objects.filter(pk=lead.pk).update(company="<b>Engines</b> & {{ owner_email }}")
    client.force_login(rep)

    response = client.post(_url(lead), {"action": "preview", "template": template.pk, "subject": "", "body": ""})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Hello Ada" in content
    # Lead text is escaped on the page and never expanded as a merge field.
    assert "How is &lt;b&gt;Engines&lt;/b&gt; &amp; {{ owner_email }}? — " + rep.display_name in content
    assert not RecordEmail.objects.exists() and not mail.outbox


def test_sending_queues_one_email_that_goes_out_with_a_reply_token_and_lands_on_the_timeline(
    client, rep, lead, django_capture_on_commit_callbacks
):
    client.force_login(rep)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(lead), {"action": "send", "subject": "Hi {{ first_name }}", "body": "Call me, {{ first_name }}."}
        )

    assert response.status_code == 302 and response["Location"].endswith(f"/leads/{lead.pk}/#timeline")
    email = RecordEmail.objects.get()
    assert email.status == RecordEmail.Status.SENT and email.sent_by == rep and email.lead == lead
    [message] = mail.outbox
    assert message.to == ["Ada Lovelace <ada@engines.example>"]
    assert message.subject == "Hi Ada" and message.body == "Call me, Ada."
    assert message.reply_to == [f"reply+{email.reply_token}@replies.example"]
    assert message.extra_headers["Message-ID"] == f"<{email.reply_token}@replies.example>"
    assert parseaddr(message.from_email) == (rep.display_name, "crm@example.test")
    activity = Activity.objects.get(lead=lead)
    assert (activity.kind, activity.subject, activity.body, activity.owner) == ("email", "Hi Ada", "Call me, Ada.", rep)
    assert email.activity == activity


def test_the_send_task_running_twice_sends_once(rep, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_record_email(lead, by=rep, subject="Hello", body="Body")

    send_record_email_task(email.pk)
    send_record_email_task.delay(email.pk)

    assert len(mail.outbox) == 1
    assert Activity.objects.filter(lead=lead, kind="email").count() == 1


def test_a_lost_kick_is_sent_by_the_sweeper_and_an_opt_out_meanwhile_cancels_it(rep, lead):
    queued = queue_record_email(lead, by=rep, subject="Hello", body="Body")  # no commit: the kick never runs
    other = LeadFactory(owner=rep)
    opted_out = queue_record_email(other, by=rep, subject="Hello", body="Body")
    Lead.objects.filter(pk=other.pk).update(unsubscribed_at=timezone.now())
    RecordEmail.objects.update(created_at=timezone.now() - timedelta(minutes=5))

    assert sweep_record_emails() == 1

    assert [m.to for m in mail.outbox] == [[f"{lead.full_name} <{lead.email}>"]]
    queued.refresh_from_db()
    opted_out.refresh_from_db()
    assert queued.status == "sent"
    assert opted_out.status == "cancelled" and "unsubscribed" in opted_out.error
    assert send_record_email(opted_out.pk) is False


@pytest.mark.parametrize(
    "fields, reason",
    [({"do_not_contact": True}, "marked do not contact"), ({"unsubscribed_at": timezone.now()}, "unsubscribed")],
)
def test_a_lead_that_may_not_be_emailed_is_refused_on_the_page_and_nothing_is_written(
    client, rep, lead, fields, reason
):
    Lead.objects.filter(pk=lead.pk).update(**fields)
    client.force_login(rep)

    page = client.get(_url(lead))
    sent = client.post(_url(lead), {"action": "send", "subject": "Hi", "body": "Hello"})

    assert page.status_code == 200 and reason in page.content.decode()
    assert "data-email-refused" in page.content.decode() and 'name="subject"' not in page.content.decode()
    assert sent.status_code == 400 and reason in sent.content.decode()
    assert not RecordEmail.objects.exists() and not mail.outbox and not Activity.objects.exists()


def test_a_do_not_contact_contact_is_refused_in_the_api_with_a_4xx(api, rep):
    contact = ContactFactory(owner=rep, do_not_contact=True)

    response = api(rep).post(f"/api/v1/contacts/{contact.pk}/email/", {"subject": "Hi", "body": "Hello"})

    assert response.status_code == 400
    assert response.json()["code"] == "recipient_not_emailable"
    assert not RecordEmail.objects.exists()


def test_an_unsubscribed_lead_is_refused_in_the_api(api, rep, lead):
    Lead.objects.filter(pk=lead.pk).update(unsubscribed_at=timezone.now())

    response = api(rep).post(f"/api/v1/leads/{lead.pk}/email/", {"subject": "Hi", "body": "Hello"})

    assert response.status_code == 400 and "unsubscribed" in response.json()["detail"]
    assert not RecordEmail.objects.exists()


def test_a_second_rep_gets_404_on_the_page_and_in_the_api(client, api, rep, other_rep, lead):
    contact = ContactFactory(owner=rep)
    client.force_login(other_rep)

    assert client.get(_url(lead)).status_code == 404
    assert client.post(_url(contact), {"action": "send", "subject": "Hi", "body": "Hello"}).status_code == 404
    assert api(other_rep).post(f"/api/v1/leads/{lead.pk}/email/", {"subject": "Hi", "body": "x"}).status_code == 404
    assert not RecordEmail.objects.exists()


def test_a_contact_is_emailed_through_the_api_with_its_account_as_company(
    api, rep, template, django_capture_on_commit_callbacks
):
    contact = ContactFactory(owner=rep, first_name="Hank", account=AccountFactory(owner=rep, name="Globex"))

    with django_capture_on_commit_callbacks(execute=True):
        response = api(rep).post(f"/api/v1/contacts/{contact.pk}/email/", {"template": template.pk})

    assert response.status_code == 202
    assert response.json()["subject"] == "Hello Hank"
    assert mail.outbox[0].body == f"How is Globex? — {rep.display_name}"
    assert Activity.objects.get(contact=contact).kind == "email"


def test_unknown_merge_fields_and_empty_emails_are_refused_naming_the_field(client, api, rep, lead):
    client.force_login(rep)

    page = client.post(_url(lead), {"action": "preview", "subject": "Hi {{ nickname }}", "body": "x"})
    empty = api(rep).post(f"/api/v1/leads/{lead.pk}/email/", {"subject": "Hi"})

    assert page.status_code == 400 and "Unknown merge field(s): nickname." in page.content.decode()
    assert empty.status_code == 400 and "body" in empty.json()
    assert not RecordEmail.objects.exists()


def test_a_template_with_an_unknown_merge_field_is_refused():
    with pytest.raises(ValidationError) as error:
        EmailTemplate(name="Bad", subject="Hi {{ nick }}", body_text="x").full_clean()

    assert "subject" in error.value.message_dict


def test_the_lead_and_contact_pages_link_to_the_compose_page(client, rep, lead):
    contact = ContactFactory(owner=rep)
    client.force_login(rep)

    assert _url(lead) in client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert _url(contact) in client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
