"""Salesforce ids: key prefixes, base-62 keys and the case-safe suffix."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integrations.salesforce.ids import KEY_PREFIXES, InvalidId, checksum, from_sf_id, to_sf_id


@pytest.mark.parametrize(
    ("id15", "id18"),
    [
        # The example of Salesforce's documentation of the two forms of one record id.
        ("001D000000IqhSL", "001D000000IqhSLIAZ"),
        # Worked by hand: chunk "00Q5e" has an upper-case letter at index 2 (4 = "E"), "00000" none ("A"), and
        # "AbCdE" at 0, 2 and 4 (1 + 4 + 16 = 21 = "V").
        ("00Q5e00000AbCdE", "00Q5e00000AbCdEEAV"),
    ],
)
def test_the_suffix_is_the_one_salesforce_computes(id15, id18):
    assert id15 + checksum(id15) == id18


def test_an_id_has_the_prefix_the_key_in_base_62_and_the_suffix():
    assert to_sf_id("Lead", 42) == "00Q00000000000gEAA"
    assert to_sf_id("Account", 62) == "001000000000010AAA"


@pytest.mark.parametrize("name", sorted(KEY_PREFIXES))
def test_every_object_uses_salesforces_key_prefix(name):
    assert to_sf_id(name, 1).startswith(KEY_PREFIXES[name])


@given(name=st.sampled_from(sorted(KEY_PREFIXES)), pk=st.integers(min_value=1, max_value=62**12 - 1))
def test_any_id_reads_back_as_its_object_and_key_in_both_lengths(name, pk):
    id18 = to_sf_id(name, pk)

    assert len(id18) == 18
    assert from_sf_id(id18) == (name, pk)
    assert from_sf_id(id18[:15], expected=name) == (name, pk)


@given(pk=st.integers(min_value=1, max_value=10**9))
def test_an_18_character_id_survives_a_case_insensitive_round_on_its_suffix(pk):
    id18 = to_sf_id("Contact", pk)

    assert from_sf_id(id18[:15] + id18[15:].lower()) == ("Contact", pk)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "00Q",
        "00Q00000000000g",  # 15: fine, see below
        "00Q00000000000gEAB",  # wrong suffix
        "00Q00000000000gE",  # 16 characters
        "00Z00000000000gEAA",  # unknown prefix
        "00Q0000000000-gEAA",  # not base 62
        "00Q000000000000AAA",  # key 0
        None,
        42,
    ],
)
def test_malformed_ids_are_refused(value):
    if value == "00Q00000000000g":
        assert from_sf_id(value) == ("Lead", 42)
        return
    with pytest.raises(InvalidId):
        from_sf_id(value)


def test_an_id_of_another_object_is_refused_when_one_is_expected():
    with pytest.raises(InvalidId):
        from_sf_id(to_sf_id("Account", 5), expected="Lead")


def test_the_case_of_a_15_character_id_matters():
    assert from_sf_id("00Q00000000000G") == ("Lead", 16)
    assert from_sf_id("00Q00000000000g") == ("Lead", 42)
