"""The whole managers' dashboard in one call."""

from __future__ import annotations

from typing import Any

from dashboards.filters import FunnelFilters
from dashboards.selectors.cohort import list_owner_groups
from dashboards.selectors.funnel import get_funnel
from dashboards.selectors.grades import get_grade_matrix
from dashboards.selectors.pipeline import get_closed_deals, get_pipeline
from dashboards.selectors.sourced import get_sdr_sourced
from dashboards.selectors.time_in_status import get_time_in_status
from dashboards.selectors.trend import get_trend
from dashboards.selectors.unattended import get_unattended
from dashboards.selectors.velocity import get_velocity_medians
from users.models import User


def get_dashboard(user: User, filters: FunnelFilters) -> dict[str, Any]:
    """Return every section of the managers' dashboard as plain data."""
    funnel = get_funnel(user, filters)
    groups = list_owner_groups(user, filters)
    medians = get_velocity_medians(user, filters)
    for step in funnel["velocity"]:
        step["median_days"] = medians.get(step["step"])
    return {
        **funnel,
        "time_in_status": get_time_in_status(user, filters),
        "trend": get_trend(user, filters),
        "pipeline": get_pipeline(user, filters, owner_groups=groups),
        "closed": get_closed_deals(user, filters),
        "unattended": get_unattended(user, filters, owner_groups=groups),
        "grade_matrix": get_grade_matrix(user, filters),
        "sdr_sourced": get_sdr_sourced(user, filters),
    }
