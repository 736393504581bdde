"""Salesforce record ids: a 3-character key prefix, the primary key in base 62, and the case-safe suffix.

`to_sf_id("Lead", 42)` is "00Q00000000000gEAA": the prefix, the pk in base 62 (digits, then A-Z, then a-z)
padded to 12 characters — 15 characters that are case-sensitive, as Salesforce's are — then the 3-character
suffix Salesforce computes so that the 18-character form survives case-insensitive tools (spreadsheets). Both
forms are accepted on input; the suffix of an 18-character id must match its first 15 characters.
"""

from __future__ import annotations

import string

KEY_PREFIXES = {"Lead": "00Q", "Account": "001", "Contact": "003", "Opportunity": "006", "User": "005"}
SOBJECT_BY_PREFIX = {prefix: name for name, prefix in KEY_PREFIXES.items()}

_ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
_DIGIT = {char: index for index, char in enumerate(_ALPHABET)}
_SUFFIX_CHARS = string.ascii_uppercase + "012345"
_BODY_LENGTH = 12
_MAX_PK = 62**_BODY_LENGTH - 1


class InvalidId(ValueError):
    """Not a Salesforce id of a supported object (or not of the expected one)."""


def checksum(id15: str) -> str:
    """Return the 3-character case-safe suffix of a 15-character id, as Salesforce computes it."""
    suffix = ""
    for start in (0, 5, 10):
        bits = 0
        for position, char in enumerate(id15[start : start + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        suffix += _SUFFIX_CHARS[bits]
    return suffix


def _encode(pk: int) -> str:
    digits = []
    while pk:
        pk, remainder = divmod(pk, 62)
        digits.append(_ALPHABET[remainder])
    return "".join(reversed(digits)).rjust(_BODY_LENGTH, "0")


def to_sf_id(sobject_name: str, pk: int) -> str:
    """Return the 18-character id of record `pk` of `sobject_name` ("Lead", "Account" …)."""
    if not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk <= _MAX_PK:
        raise InvalidId(f"{pk!r} is not a record key.")
    try:
        prefix = KEY_PREFIXES[sobject_name]
    except KeyError:
        raise InvalidId(f"{sobject_name!r} has no key prefix.") from None
    id15 = prefix + _encode(pk)
    return id15 + checksum(id15)


def from_sf_id(value: str, expected: str | None = None) -> tuple[str, int]:
    """Return (sObject name, pk) of a 15- or 18-character id.

    Raises:
        InvalidId: malformed, a wrong case-safe suffix, an unknown prefix, or not an `expected` record's id.
    """
    if not isinstance(value, str) or len(value) not in (15, 18):
        raise InvalidId(f"{value!r} is not a 15- or 18-character id.")
    id15 = value[:15]
    if len(value) == 18 and value[15:].upper() != checksum(id15):
        raise InvalidId(f"{value!r} has a wrong case-safe suffix.")
    name = SOBJECT_BY_PREFIX.get(id15[:3])
    if name is None:
        raise InvalidId(f"{value!r} is not the id of a supported object.")
    if expected is not None and name != expected:
        raise InvalidId(f"{value!r} is not the id of a {expected}.")
    pk = 0
    for char in id15[3:]:
        digit = _DIGIT.get(char)
        if digit is None:
            raise InvalidId(f"{value!r} contains characters an id cannot have.")
        pk = pk * 62 + digit
    if pk == 0:
        raise InvalidId(f"{value!r} is not a record's id.")
    return name, pk
