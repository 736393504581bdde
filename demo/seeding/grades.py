"""Demo grade rules, BANT answers on a share of the open leads, and every lead's grade.

The rules describe the demo's ideal customer: a mid-size or large company in software, finance or healthcare, in
North America or Western Europe, reached through a senior buyer, with a confirmed budget. Like the demo's scores,
the grades are written set-based: one UPDATE computing each lead's grade from the rules (`scoring.sql`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import connection
from django.utils import timezone

from scoring.models import GradeRule
from scoring.services import load_scoring
from scoring.sql import lead_grade_sql

if TYPE_CHECKING:
    from demo.seeding.context import SeedContext

# (name, field, operator, value, points)
GRADE_RULES = [
    ("Company of 200+ employees", "employees", "gte", "200", 20),
    ("Company of 1,000+ employees", "employees", "gte", "1000", 10),
    ("Senior title", "title", "contains", "VP, Head, Chief, Director, CEO, CTO, CFO, COO, Founder", 25),
    ("Target industry", "industry", "in", "Software, Financial Services, Healthcare, Telecommunications", 20),
    ("Core market", "country", "in", "United States, Canada, United Kingdom, Germany, France", 10),
    ("Budget of 25,000 or more", "budget_amount", "gte", "25000", 10),
    ("Budget confirmed", "budget_confirmed", "equals", "true", 10),
    ("Small company", "employees", "lte", "10", -15),
]
# One open lead in three (by id, so the demo stays deterministic) has answered the BANT questions.
EVERY = 3
AUTHORITIES = ["CFO signs", "VP of Sales decides", "Head of IT, with procurement", "CEO", "Operations director"]
NEEDS = [
    "Replace spreadsheets for lead tracking",
    "Faster hand-off from marketing to sales",
    "Forecast accuracy for the board",
    "Consolidate three regional CRMs",
    "Automate nurture for webinar leads",
]


def _case(column: str, values: list) -> tuple[str, list]:
    """`CASE column % len(values) WHEN 0 THEN values[0] …`: a value picked by id, deterministic and set-based."""
    whens = " ".join("WHEN %s THEN %s" for _ in values)
    params = [param for index, value in enumerate(values) for param in (index, value)]
    return f"CASE {column} %% {len(values)} {whens} END", params


def seed_grades(ctx: SeedContext) -> int:
    """Add the demo grade rules (once), answer BANT on a share of the open leads, then grade every lead."""
    if not GradeRule.objects.exists():
        GradeRule.objects.bulk_create(
            GradeRule(name=name, field=field, operator=operator, value=value, points=points)
            for name, field, operator, value, points in GRADE_RULES
        )
    today = timezone.localdate()
    dates = [today + timedelta(days=days) for days in (21, 45, 60, 90, 120, 180)]
    authority, authority_params = _case("id", AUTHORITIES)
    need, need_params = _case("id", NEEDS)
    timeline, timeline_params = _case("id", dates)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE leads_lead SET budget_amount = (id %% 12 + 1) * 5000, budget_confirmed = (id %% 2 = 0), "  # noqa: S608 - fixed SQL, values are parameters  # nosec B608
            f"authority = {authority}, need = {need}, timeline_date = {timeline} "
            "WHERE status IN ('new', 'working', 'nurturing', 'qualified') AND id %% %s = 1",
            [*authority_params, *need_params, *timeline_params, EVERY],
        )
        ctx.counts["bant_leads"] = cursor.rowcount
        grade, grade_params = lead_grade_sql(load_scoring())
        cursor.execute(f"UPDATE leads_lead SET grade = {grade}", grade_params)  # noqa: S608  # nosec B608
        ctx.counts["graded_leads"] = cursor.rowcount
    return ctx.counts["graded_leads"]
