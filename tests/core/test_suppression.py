"""The suppression list: peppered hashes, compared on the normalised address."""

from __future__ import annotations

import pytest

from core.models import Suppression
from core.suppression import PersonErased, check_not_suppressed, is_suppressed, suppress_email, suppressed_among

pytestmark = pytest.mark.django_db


def test_an_address_is_recognised_whatever_its_case_and_spacing():
    assert suppress_email("Jane@Example.test") is True
    assert suppress_email(" jane@example.TEST ") is False

    assert is_suppressed("JANE@example.test ") and not is_suppressed("john@example.test")
    assert Suppression.objects.count() == 1


def test_blank_addresses_are_never_suppressed():
    suppress_email("jane@example.test")

    assert not is_suppressed("") and not is_suppressed(None)
    check_not_suppressed("")


def test_a_chunk_of_addresses_is_checked_at_once(django_assert_num_queries):
    suppress_email("jane@example.test")
    suppress_email("olga@example.test")

    with django_assert_num_queries(1):
        found = suppressed_among(["jane@example.test", "john@example.test", "olga@example.test"])

    assert found == {"jane@example.test", "olga@example.test"}


def test_the_refusal_names_the_field():
    suppress_email("jane@example.test")

    with pytest.raises(PersonErased) as refused:
        check_not_suppressed("jane@example.test", field="Email")

    assert refused.value.field == "Email" and refused.value.status_code == 409
