"""The grade x score matrix: how many cohort leads sit in each grade and score band, and how each cell converts.

Grades A-D (fit to the ideal customer profile, `scoring.grades`) by score bands 0-24, 25-49, 50-74, 75-100 (how
interested). A cell's conversion rate is converted / leads in the cell, in percent (None for an empty cell).
Leads not graded yet (no grade rules, or not scored yet) are counted apart, as `ungraded`. One GROUP BY query.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, Q, Value, When

from dashboards.filters import FunnelFilters
from dashboards.selectors.cohort import get_cohort
from users.models import User

GRADES = ("A", "B", "C", "D")
SCORE_BANDS = ((0, 24), (25, 49), (50, 74), (75, 100))


def _band():
    return Case(
        *(When(score__gte=low, score__lte=high, then=Value(index)) for index, (low, high) in enumerate(SCORE_BANDS)),
        default=Value(len(SCORE_BANDS) - 1),
        output_field=IntegerField(),
    )


def _cell(total: int, converted: int) -> dict[str, Any]:
    return {
        "leads": total,
        "converted": converted,
        "conversion_pct": round(100 * converted / total, 1) if total else None,
    }


def get_grade_matrix(user: User, filters: FunnelFilters) -> dict[str, Any]:
    """Return {bands: ["0-24", …], rows: [{grade, cells: [{leads, converted, conversion_pct}, …]}], ungraded}."""
    counts = (
        get_cohort(user, filters)
        .order_by()
        .annotate(band=_band())
        .values("grade", "band")
        .annotate(leads=Count("id"), converted=Count("id", filter=Q(converted_at__isnull=False)))
    )
    found = {(row["grade"], row["band"]): (row["leads"], row["converted"]) for row in counts}
    rows = [
        {"grade": grade, "cells": [_cell(*found.get((grade, band), (0, 0))) for band in range(len(SCORE_BANDS))]}
        for grade in GRADES
    ]
    ungraded = sum(total for (grade, _band_index), (total, _converted) in found.items() if grade not in GRADES)
    return {"bands": [f"{low}-{high}" for low, high in SCORE_BANDS], "rows": rows, "ungraded": ungraded}
