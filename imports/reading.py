"""Reading an uploaded CSV: its encoding, delimiter and rows, and which header maps to which lead field."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from imports.writing import TEXT_FIELDS
from leads.models import Lead, LeadSource

# Rows per chunk (one transaction each); FUNNEL_IMPORT_CHUNK_ROWS makes chunks small for crash tests.
CHUNK_ROWS = int(os.environ.get("FUNNEL_IMPORT_CHUNK_ROWS") or 20_000)
SNIFF_BYTES = 64 * 1024
MAX_ERRORS_PER_JOB = 100_000

IMPORTABLE_FIELDS = [
    *TEXT_FIELDS,
    "employees",
    "annual_revenue",
    "source",
    "status",
    "do_not_contact",
    "budget_amount",
    "budget_confirmed",
    "timeline_date",
]
FIELD_LABELS = {name: Lead._meta.get_field(name).verbose_name.capitalize() for name in IMPORTABLE_FIELDS}
# Not a lead column: the campaign the row's lead joins (imports.campaigns), by id or exact name.
IMPORTABLE_FIELDS.append("campaign")
FIELD_LABELS["campaign"] = "Campaign"
MAX_LENGTHS = {name: Lead._meta.get_field(name).max_length for name in TEXT_FIELDS if name != "description"}
MAX_LENGTHS["description"] = 32_000

_ALIASES = {
    "first_name": ["first name", "firstname", "first", "given name", "forename", "prénom", "prenom"],
    "last_name": ["last name", "lastname", "surname", "family name", "last", "nom"],
    "email": ["email", "e-mail", "email address", "e-mail address", "mail"],
    "phone": ["phone", "phone number", "telephone", "tel", "mobile", "mobile phone", "work phone"],
    "company": ["company", "company name", "account", "account name", "organization", "organisation"],
    "title": ["title", "job title", "position", "role"],
    "website": ["website", "web site", "url", "company website", "site"],
    "industry": ["industry", "sector"],
    "employees": ["employees", "no. of employees", "number of employees", "numberofemployees", "headcount", "size"],
    "annual_revenue": ["annual revenue", "annualrevenue", "revenue"],
    "country": ["country", "country/region"],
    "city": ["city", "town"],
    "state": ["state", "state/province", "province", "region", "county"],
    "postal_code": ["postal code", "postalcode", "zip", "zip code", "zipcode", "postcode", "post code"],
    "source": ["source", "lead source", "leadsource"],
    "status": ["status", "lead status"],
    "description": ["description", "notes", "note", "comments"],
    "do_not_contact": ["do not contact", "do not call", "email opt out", "donotcall", "hasoptedoutofemail"],
    # The qualification checklist (leads.qualification); the grade is computed by the grade rules, never imported.
    "budget_amount": ["budget", "budget amount"],
    "budget_confirmed": ["budget confirmed", "confirmed budget"],
    "authority": ["authority", "decision maker", "decision maker role"],
    "need": ["need", "needs", "business need"],
    "timeline_date": ["timeline", "timeline date", "purchase date", "expected purchase date"],
    "metrics": ["metrics"],
    "economic_buyer": ["economic buyer"],
    "decision_criteria": ["decision criteria"],
    "decision_process": ["decision process"],
    "identify_pain": ["identify pain", "pain", "identified pain"],
    "champion": ["champion"],
    "campaign": ["campaignid", "campaign id", "campaign name"],
}


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


HEADER_FIELDS: dict[str, str] = {}
for _field, _names in _ALIASES.items():
    for _name in [_field, *_names]:
        HEADER_FIELDS.setdefault(_key(_name), _field)

SOURCE_VALUES: dict[str, str] = {_key(v): v for v in LeadSource.values} | {
    _key(lbl): v for v, lbl in LeadSource.choices
}
SOURCE_VALUES |= {
    _key(label): value
    for label, value in {
        "Website": "web",
        "Web Form": "web_form",
        "Phone Inquiry": "cold_call",
        "Cold Call": "cold_call",
        "Partner Referral": "partner",
        "Partner": "partner",
        "Employee Referral": "referral",
        "External Referral": "referral",
        "Word of mouth": "referral",
        "Purchased List": "other",
        "Public Relations": "other",
        "Seminar - Internal": "webinar",
        "Seminar - Partner": "partner",
        "Advertisement": "advertising",
        "Email": "email_campaign",
        "Social Media": "social",
        "Tradeshow": "trade_show",
    }.items()
}
STATUS_VALUES: dict[str, str] = {_key(v): v for v in Lead.Status.values if v != "converted"}
STATUS_VALUES |= {
    _key("Open - Not Contacted"): "new",
    _key("Open"): "new",
    _key("Working - Contacted"): "working",
    _key("Contacted"): "working",
    _key("Closed - Not Converted"): "unqualified",
    _key("Disqualified"): "unqualified",
}
CONVERTED_STATUSES = {_key("Closed - Converted"), _key("converted")}
TRUE_VALUES = {"1", "true", "yes", "y", "x", "on", "oui"}
FALSE_VALUES = {"0", "false", "no", "n", "", "off", "non"}

_EMAIL = re.compile(r"^[^@\s,;<>()\[\]\"']+@[^@\s,;<>()\[\]\"']+\.[^@\s,;<>()\[\]\"']+$")
_MONEY_NOISE = re.compile(r"[\s,$€£\u202f]")
_FORMULA = re.compile(r"^(?:[=@\t\r]|[+-](?![\d.]))+")


def neutralize_formula(value: str) -> str:
    """Drop leading characters that make a spreadsheet evaluate a cell (`=`, `@`, `+`/`-` before a non-digit)."""
    return _FORMULA.sub("", value) if value and value[0] in "=@+-\t\r" else value


def escape_for_spreadsheet(value: str) -> str:
    """Quote a cell that a spreadsheet would evaluate as a formula (OWASP CSV injection)."""
    return "'" + value if value and value[0] in "=@+-\t\r" else value


# --- reading the file --------------------------------------------------------------------------------------


@dataclass
class FileShape:
    encoding: str
    delimiter: str
    headers: list[str]
    has_nul: bool


def inspect_file(path: str | Path) -> FileShape:
    """Detect encoding, delimiter and headers of a CSV file; raise ValidationError on `file` when unusable."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    encoding, has_nul = "utf-8-sig", False
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
        block = head
        while block:
            has_nul = has_nul or b"\0" in block
            if encoding == "utf-8-sig":
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    encoding = "latin-1"
            block = handle.read(1 << 20)
    if not head.strip(b"\0 \r\n\t\xef\xbb\xbf"):
        raise ValidationError({"file": ["The file is empty."]})
    sample = head.decode(encoding, errors="ignore").replace("\0", "")
    if sum(1 for ch in sample[:4096] if ch.isprintable() or ch in "\r\n\t") < 0.95 * len(sample[:4096]):
        raise ValidationError({"file": ["The file is not a text CSV file."]})
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    try:
        headers = next(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter), [])
    except csv.Error as exc:
        raise ValidationError({"file": [f"The file is not a readable CSV file: {exc}."]}) from exc
    headers = [h.strip() for h in headers]
    if not any(headers):
        raise ValidationError({"file": ["The file has no header row."]})
    return FileShape(encoding=encoding, delimiter=delimiter, headers=headers, has_nul=has_nul)


def _open_rows(path: str | Path, shape: FileShape) -> Iterator[list[str]]:
    """Yield the data rows (without the header) of a CSV file of the given shape."""
    with open(path, encoding=shape.encoding, newline="") as handle:
        lines: Any = (line.replace("\0", "") for line in handle) if shape.has_nul else handle
        reader = csv.reader(lines, delimiter=shape.delimiter)
        next(reader, None)
        yield from reader


def count_rows(path: str | Path, shape: FileShape) -> int:
    """Count the data rows of a CSV file (quoted newlines included)."""
    return sum(1 for _ in _open_rows(path, shape))


def detect_mapping(headers: list[str]) -> dict[str, str]:
    """Map each CSV header to a lead field by name (ours, Salesforce's, common variants); unknown ones to ""."""
    mapping, taken = {}, set()
    for header in headers:
        target = HEADER_FIELDS.get(_key(header), "")
        if target in taken:
            target = ""
        mapping[header] = target
        if target:
            taken.add(target)
    return mapping


def clean_mapping(mapping: Any, headers: list[str]) -> dict[str, str]:
    """Check a user's mapping: a dict of header → field, known fields, each field once, last name mapped."""
    if isinstance(mapping, str):
        try:
            mapping = json.loads(mapping)
        except ValueError as exc:
            raise ValidationError({"mapping": ["Give the mapping as a JSON object: {header: field}."]}) from exc
    if not isinstance(mapping, dict) or not all(isinstance(k, str) for k in mapping):
        raise ValidationError({"mapping": ["Give the mapping as a JSON object: {header: field}."]})
    cleaned: dict[str, str] = {}
    for header, target in mapping.items():
        target = target or ""
        if header not in headers:
            raise ValidationError({"mapping": [f"The file has no column “{header}”."]})
        if target and target not in IMPORTABLE_FIELDS:
            raise ValidationError({"mapping": [f"“{target}” is not a lead field that can be imported."]})
        if target and target in cleaned.values():
            raise ValidationError({"mapping": [f"Two columns are mapped to {target}."]})
        cleaned[header] = target
    if "last_name" not in cleaned.values():
        raise ValidationError({"mapping": ["Map a column to last_name: every lead needs a last name."]})
    return cleaned


# --- validating rows ---------------------------------------------------------------------------------------
