"""Writes of the assignment app: one lead (`leads`), many at once (`bulk`), the rules (`rules`), territories."""

from assignment.services.bulk import (  # noqa: F401 - the app's service API
    BulkAssignment,
    NewLeadRouting,
    assign_leads_bulk,
    notify_owners,
    reassign_open_leads,
)
from assignment.services.leads import (  # noqa: F401 - the app's service API
    assign_lead,
)
from assignment.services.rules import (  # noqa: F401 - the app's service API
    RULE_FIELDS,
    create_assignment_rule,
    delete_assignment_rule,
    save_assignment_rule,
    update_assignment_rule,
)
from assignment.services.sla_policies import (  # noqa: F401 - the app's service API
    SLA_POLICY_FIELDS,
    create_sla_policy,
    delete_sla_policy,
    update_sla_policy,
)
from assignment.services.territories import (  # noqa: F401 - the app's service API
    TERRITORY_FIELDS,
    create_territory,
    delete_territory,
    update_territory,
)
