"""The safe renderer: whitelisted merge fields only, escaped HTML, one-line headers."""

import pytest
from django.core.exceptions import ValidationError

from nurture.rendering import address, merge_values, render_step, render_text, strip_header
from tests.factories import LeadFactory, StepFactory, UserFactory


def values(**overrides):
    base = dict.fromkeys(
        ["first_name", "last_name", "full_name", "company", "title", "email", "city", "country", "owner_name"], ""
    )
    base.update(owner_email="", unsubscribe_url="https://crm.example/unsubscribe/t/")
    base.update(overrides)
    return base


def test_merge_fields_are_replaced_with_and_without_spaces():
    assert render_text("Hi {{first_name}} from {{ company }}!", values(first_name="Ada", company="Acme")) == (
        "Hi Ada from Acme!"
    )


def test_template_tags_filters_and_lookups_in_step_text_stay_plain_text():
    text = "{% load static %}{{ first_name|upper }} {{ lead.owner.password }} {% if 1 %}x{% endif %}"
    assert render_text(text, values(first_name="ada")) == text


def test_a_lead_value_that_looks_like_a_merge_field_is_not_expanded_again():
    rendered = render_text("Hi {{ first_name }}", values(first_name="{{ owner_email }}", owner_email="boss@corp"))
    assert rendered == "Hi {{ owner_email }}"


def test_lead_values_are_html_escaped_in_the_html_body_and_kept_in_the_plain_body():
    hostile = '<script>alert("x")</script>'
    assert render_text("<p>{{ company }}</p>", values(company=hostile), html=True) == (
        "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>"
    )
    assert render_text("{{ company }}", values(company=hostile)) == hostile


def test_crlf_in_a_lead_value_cannot_add_a_header_through_the_subject(db):
    step = StepFactory(subject="News for {{ company }}")
    rendered = render_step(step, values(company="Acme\r\nBcc: victim@example.com\nX-Evil: 1"))
    assert "\n" not in rendered.subject and "\r" not in rendered.subject
    assert rendered.subject == "News for Acme Bcc: victim@example.com X-Evil: 1"


def test_a_display_name_cannot_add_recipients_or_headers():
    to = address("Eve, <eve@evil.example>\r\nBcc: x@evil.example", "lead@example.com")
    assert "\n" not in to and "\r" not in to
    assert to.endswith("<lead@example.com>")
    assert to.startswith('"')  # the name is quoted, so its comma and brackets are not addresses


def test_strip_header_removes_every_kind_of_line_break():
    assert strip_header("a\rb\nc\u2028d\x0be") == "a b c d e"


def test_unknown_merge_fields_are_refused_when_a_step_is_saved(db):
    step = StepFactory.build(sequence=StepFactory().sequence, order=99, body_text="Hi {{ first_nme }}")
    with pytest.raises(ValidationError) as caught:
        step.full_clean()
    assert "first_nme" in str(caught.value.message_dict["body_text"])


def test_unknown_placeholders_are_left_as_written_at_send_time():
    assert render_text("Hi {{ nickname }}", values()) == "Hi {{ nickname }}"


def test_merge_values_use_the_lead_and_its_owner(db):
    owner = UserFactory(name="Olivia Owner", email="olivia@crm.example")
    lead = LeadFactory(first_name="Ada", last_name="Lovelace", company="Engines", owner=owner)
    data = merge_values(lead, unsubscribe_url="u")
    assert data["full_name"] == "Ada Lovelace"
    assert data["owner_name"] == "Olivia Owner"
    assert data["company"] == "Engines"
