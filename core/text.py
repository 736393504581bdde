"""Normalisers shared by capture, import, matching and conversion."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from django.conf import settings

_LEGAL_SUFFIXES = {
    "inc",
    "incorporated",
    "llc",
    "ltd",
    "limited",
    "gmbh",
    "sa",
    "sas",
    "sarl",
    "bv",
    "nv",
    "ag",
    "plc",
    "corp",
    "corporation",
    "co",
    "company",
    "srl",
    "spa",
    "oy",
    "ab",
    "as",
    "aps",
    "kg",
    "pty",
    "pte",
    "lp",
    "llp",
    "kk",
    "sl",
    "se",
}


def normalize_email(value: str | None) -> str:
    """Trim and lower-case an email address."""
    return (value or "").strip().lower()


def normalize_domain(value: str | None) -> str:
    """Return the bare host of a website or email domain: no scheme, port, path or `www.`."""
    value = (value or "").strip().lower()
    if not value:
        return ""
    if "@" in value and "/" not in value:
        value = value.rsplit("@", 1)[1]
    if "//" not in value:
        value = "//" + value
    try:
        host = urlsplit(value).hostname or ""
    except ValueError:
        return ""
    host = host.strip(".")
    return host[4:] if host.startswith("www.") else host


def email_domain(email: str | None) -> str:
    email = normalize_email(email)
    return email.rsplit("@", 1)[1] if "@" in email else ""


def is_free_mail_domain(domain: str) -> bool:
    return domain in settings.FUNNEL_FREE_MAIL_DOMAINS


# What web forms and spreadsheets put in a required company field when the buyer is a person (B2C).
_NO_COMPANY = frozenset(
    {"", "none", "null", "n/a", "na", "-", "--", ".", "[not provided]", "not provided", "individual", "private"}
)


def is_no_company(value: str | None) -> bool:
    """True when `value` names no company: empty, or a placeholder such as "None", "n/a" or "[not provided]"."""
    return " ".join((value or "").split()).casefold() in _NO_COMPANY


def normalize_company_name(value: str | None) -> str:
    """Fold case, accents, punctuation and legal suffixes (Inc, LLC, GmbH …) out of a company name."""
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " and ").replace(".", "")
    words = re.findall(r"[a-z0-9]+", text)
    while words and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


# Every character an email header parser may treat as a line break.
_HEADER_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


def one_line(value: str) -> str:
    """Return `value` fit for an email header: every line break becomes a space, so user text adds no header."""
    return _HEADER_LINE_BREAKS.sub(" ", value or "").strip()
