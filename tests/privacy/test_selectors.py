"""The privacy export's content: every kind of data held about the person, and nothing about anyone else."""

from __future__ import annotations

import json

from privacy.selectors import get_person_data
from tests.privacy.conftest import EMAIL, OTHER_EMAIL


def test_the_export_holds_every_kind_of_data_about_the_person(person, admin):
    data = get_person_data("  Jane.Doe@ERASE.example ", user=admin)

    assert data["email"] == EMAIL and data["suppressed"] is False
    assert sorted(lead["id"] for lead in data["leads"]) == sorted([person.open_lead.pk, person.converted_lead.pk])
    assert [contact["id"] for contact in data["contacts"]] == [person.contact.pk]
    assert {a["subject"] for a in data["activities"]} >= {"Call with Jane", "Jane's budget"}
    assert any(e["kind"] == "nurture_email" for e in data["events"])
    assert [f["name"] for f in data["attachments"]] == ["jane-passport.pdf"]
    assert [r["subject"] for r in data["record_emails"]] == ["Hello Jane"]
    assert [d["subject"] for d in data["nurture_deliveries"]] == ["Welcome {{ first_name }}"]
    assert [(h["kind"], h["user_agent"]) for h in data["tracking_hits"]] == [("open", "Mail")]
    assert [m["campaign_name"] for m in data["campaign_memberships"]] == ["Spring webinar"]
    assert sorted((e["row"], e["column"]) for e in data["import_errors"]) == [(7, "Email"), (7, "Phone")]
    json.dumps(data)  # plain data, ready to hand over


def test_the_export_says_nothing_about_another_person(person, admin):
    text = json.dumps(get_person_data(EMAIL, user=admin))

    assert "Olga" not in text and OTHER_EMAIL not in text and "olga@keep" not in text


def test_nothing_held_exports_nothing(admin, db):
    assert get_person_data("nobody@nowhere.example", user=admin) is None


def test_the_export_holds_every_field_a_rep_can_write_about_the_person(person, admin):
    from decimal import Decimal

    from leads.models import Lead
    from leads.services.capture import EDITABLE_FIELDS

    Lead.objects.filter(pk=person.open_lead.pk).update(
        need="Jane needs a CRM by spring", champion="Jane herself", budget_amount=Decimal("25000.00"), employees=40
    )

    data = get_person_data(EMAIL, user=admin)

    [lead] = [lead for lead in data["leads"] if lead["id"] == person.open_lead.pk]
    assert set(EDITABLE_FIELDS) <= set(lead)
    assert (lead["need"], lead["champion"], lead["budget_amount"], lead["employees"]) == (
        "Jane needs a CRM by spring",
        "Jane herself",
        "25000.00",
        40,
    )
    assert data["contacts"][0]["account"] == person.contact.account_id
    json.dumps(data)
