"""Bulk job ids as Salesforce writes them: key prefix 750, the job's pk in base 62, the case-safe suffix."""

from __future__ import annotations

import string

from integrations.salesforce.ids import checksum

JOB_PREFIX = "750"
_ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
_DIGIT = {char: index for index, char in enumerate(_ALPHABET)}
_BODY_LENGTH = 12


def job_sf_id(pk: int) -> str:
    """The 18-character id of job `pk`."""
    digits = []
    while pk:
        pk, remainder = divmod(pk, 62)
        digits.append(_ALPHABET[remainder])
    id15 = JOB_PREFIX + "".join(reversed(digits)).rjust(_BODY_LENGTH, "0")
    return id15 + checksum(id15)


def job_pk(value: str) -> int | None:
    """The pk of a 15- or 18-character job id; None for anything else (which then matches no job)."""
    if not isinstance(value, str) or len(value) not in (15, 18) or not value.startswith(JOB_PREFIX):
        return None
    id15 = value[:15]
    if len(value) == 18 and value[15:].upper() != checksum(id15):
        return None
    pk = 0
    for char in id15[3:]:
        digit = _DIGIT.get(char)
        if digit is None:
            return None
        pk = pk * 62 + digit
    return pk if 0 < pk < 2**63 else None
