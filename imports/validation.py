"""Validating CSV rows into lead values: every error names its row and column; nothing is guessed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from core.suppression import ERASED_DETAIL, suppressed_among
from core.text import normalize_email
from imports.campaigns import CampaignColumn
from imports.models import ImportJob, ImportRowError
from imports.reading import (
    _EMAIL,
    _MONEY_NOISE,
    CONVERTED_STATUSES,
    FALSE_VALUES,
    MAX_LENGTHS,
    SOURCE_VALUES,
    STATUS_VALUES,
    TRUE_VALUES,
    _key,
    neutralize_formula,
)
from leads.models import LeadSource

logger = logging.getLogger("funnel.privacy")


@dataclass
class ChunkResult:
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)  # by email; rows without email keyed "#<row>"
    errors: list[ImportRowError] = field(default_factory=list)
    merged: int = 0
    failed: int = 0
    copy_text: str | None = None  # the rows in COPY text format, prepared by the reader thread on PostgreSQL


class RowValidator:
    """Turn raw CSV rows into clean lead values, or errors naming the column."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        index = {header: i for i, header in enumerate(job.headers)}
        self.columns = [(index[h], f, h) for h, f in job.mapping.items() if f and h in index]
        self.text_columns = [(i, f, h, MAX_LENGTHS[f]) for i, f, h in self.columns if f in MAX_LENGTHS]
        self.other_columns = [(i, f, h) for i, f, h in self.columns if f not in MAX_LENGTHS]
        self.converters = dict(_CONVERTERS)
        if "campaign" in job.mapping.values():
            self.converters["campaign"] = CampaignColumn().to_campaign

    def validate(self, rows: list[list[str]], first_row: int) -> ChunkResult:
        result = ChunkResult()
        job = self.job
        for offset, raw in enumerate(rows):
            number = first_row + offset
            if not any(raw):
                continue
            width = len(raw)
            values: dict[str, Any] = {}
            problems: list[tuple[str, str, str]] = []
            for i, name, header, limit in self.text_columns:
                value = raw[i].strip() if i < width else ""
                if value and value[0] in "=@+-\t\r":
                    value = neutralize_formula(value).strip()
                if not value:
                    continue
                if len(value) > limit:
                    problems.append((header, f"Longer than {limit} characters.", value))
                    continue
                values[name] = value
            for i, name, header in self.other_columns:
                value = raw[i].strip() if i < width else ""
                if not value:
                    continue
                try:
                    values[name] = self.converters[name](value)
                except ValueError as exc:
                    problems.append((header, str(exc), value))
            if "last_name" not in values and not any(p[0] == self._header("last_name") for p in problems):
                problems.append((self._header("last_name"), "Last name is required.", ""))
            email = values.get("email")
            if email is not None:
                email = normalize_email(email)
                if not _EMAIL.match(email):
                    problems.append((self._header("email"), "Enter a valid email address.", email))
                values["email"] = email
            if "campaign" in values:
                values["_campaign"] = values.pop("campaign")  # not a lead column: imports.campaigns tags it
                if email is None:
                    problems.append((self._header("campaign"), "A row with a campaign needs an email.", ""))
            if problems:
                result.failed += 1
                result.errors.extend(
                    ImportRowError(job=job, row=number, column=h, message=m[:255], value=v[:255])
                    for h, m, v in problems
                )
                continue
            key = email or f"#{number}"
            earlier = result.rows.get(key)
            if earlier is None:
                values["_row"] = number
                result.rows[key] = values
            else:
                earlier.update(values)
                result.merged += 1
        return result

    def _header(self, name: str) -> str:
        return next((h for _, f, h in self.columns if f == name), name)


def drop_suppressed_rows(job: ImportJob, result: ChunkResult) -> None:
    """Fail the rows of `result` whose email belongs to an erased person (one query per chunk).

    Their error names the column but keeps no value: the report must not hold the address either.
    """
    erased = suppressed_among([key for key in result.rows if not key.startswith("#")])
    if not erased:
        return
    logger.warning("refused %d import rows of erased people (suppression list)", len(erased))
    column = next((header for header, field in job.mapping.items() if field == "email"), "email")
    for email in sorted(erased):
        values = result.rows.pop(email)
        result.failed += 1
        result.errors.append(ImportRowError(job=job, row=values["_row"], column=column, message=ERASED_DETAIL))
    result.copy_text = None  # prepared with the refused rows: written again from what is left


def _to_employees(value: str) -> int:
    digits = value.replace(",", "").replace(" ", "").replace("\u202f", "").replace("_", "")
    if not digits.isdigit() or len(digits) > 9:
        raise ValueError("Enter a whole number of employees.")
    return int(digits)


def _to_revenue(value: str) -> Decimal:
    text = _MONEY_NOISE.sub("", value)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("Enter an amount such as 1250000.00.") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e14"):
        raise ValueError("Enter an amount between 0 and 99,999,999,999,999.99.")
    return amount.quantize(Decimal("0.01"))


def _to_source(value: str) -> str:
    source = SOURCE_VALUES.get(_key(value))
    if source is None:
        raise ValueError(f"Unknown lead source; use one of: {', '.join(LeadSource.values)}.")
    return source


def _to_status(value: str) -> str:
    key = _key(value)
    if key in CONVERTED_STATUSES:
        raise ValueError("A lead becomes converted only through conversion; import it as qualified.")
    status = STATUS_VALUES.get(key)
    if status is None:
        raise ValueError("Unknown lead status; use new, working, nurturing, qualified or unqualified.")
    return status


def _to_bool(value: str) -> bool:
    text = value.lower()
    if text in TRUE_VALUES:
        return True
    if text in FALSE_VALUES:
        return False
    raise ValueError("Enter yes or no.")


def _to_date(value: str) -> date:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError("Enter a date as YYYY-MM-DD.") from None


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    "employees": _to_employees,
    "annual_revenue": _to_revenue,
    "budget_amount": _to_revenue,
    "budget_confirmed": _to_bool,
    "timeline_date": _to_date,
    "source": _to_source,
    "status": _to_status,
    "do_not_contact": _to_bool,
}
