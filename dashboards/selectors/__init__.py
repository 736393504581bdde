"""Report queries behind the managers' funnel dashboard and `GET /api/v1/reports/funnel/`.

Definitions (the numbers the page, the CSV exports and the API agree on):

- **Cohort**: the leads visible to the user (`Lead.objects.visible_to`) created in the inclusive date range
  `created_after`..`created_before`, narrowed by team (the owner's team), owner and source.
- **Lead** = cohort count; **MQL** = with `mql_at`; **SQL** = with `qualified_at`; **Converted** = with
  `converted_at`; **Won** = converted leads whose `converted_opportunity` is in a won stage. Step conversion =
  count / previous stage's count; overall conversion = count / leads.
- **conversion_rate** = converted / leads (0 when there are no leads), a float rounded to 4 places.
  **won_amount** = sum of the won converted opportunities' amounts, a decimal string.
- **avg_days_to_convert**: mean days `created_at` → `converted_at` over converted cohort leads, rounded to 1
  place (None when none converted). Velocity steps likewise: lead → MQL over leads with `mql_at`, MQL → SQL over
  leads with both, SQL → converted over leads with both; medians interpolate the two middle values.
- **Time in status**: for every status change of a cohort lead, the time until that lead's next change (the
  current, unfinished stay is not counted).
- **Pipeline**: open opportunities (stage not closed) visible to the user, narrowed by owner, team and
  `lead_source`; the date range does NOT apply (an open deal is in the pipeline whenever it was created).
  weighted_amount = sum of amount * probability / 100, rounded to cents.
- **Won / lost this period**: closed opportunities visible to the user whose `closed_at` falls in the date range.
- **Trend**: cohort leads created per week, and leads converted per week (by `converted_at` in the range, same
  visibility, team, owner and source).
- **Unattended**: open leads (not converted or unqualified) with no activity for `idle_days` days
  (`last_activity_at`, or `created_at` when none was ever logged), by owner; the date range does NOT apply.
- **Grade x score**: cohort leads by grade (A to D) and score band (0-24, 25-49, 50-74, 75-100), each cell's
  converted / leads in percent; leads not graded yet counted apart. One GROUP BY.
- **SDR-sourced pipeline**: visible opportunities with `sourced_by` (the SDR whose lead became the deal), per SDR:
  deals, open deals and their amount (the date range does not apply), deals won with `closed_at` in the range.

The whole lead funnel (stages, by source, by owner, averages) is ONE grouped aggregate query with conditional
counts, rolled up in Python; the page costs a fixed handful of queries whatever the data size.
"""

from dashboards.selectors.cohort import get_cohort
from dashboards.selectors.dashboard import get_dashboard
from dashboards.selectors.funnel import STAGES, get_funnel
from dashboards.selectors.grades import get_grade_matrix
from dashboards.selectors.pipeline import get_closed_deals, get_pipeline
from dashboards.selectors.sourced import get_sdr_sourced
from dashboards.selectors.time_in_status import get_time_in_status
from dashboards.selectors.trend import get_trend
from dashboards.selectors.unattended import get_unattended
from dashboards.selectors.velocity import VELOCITY_STEPS, get_velocity_medians

__all__ = [
    "STAGES",
    "VELOCITY_STEPS",
    "get_closed_deals",
    "get_cohort",
    "get_dashboard",
    "get_funnel",
    "get_grade_matrix",
    "get_pipeline",
    "get_sdr_sourced",
    "get_time_in_status",
    "get_trend",
    "get_unattended",
    "get_velocity_medians",
]
