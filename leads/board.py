"""The lead board: the user's visible open leads in status columns, moved by drag and drop or the keyboard.

Each column counts every matching lead and shows the newest `CARDS_PER_COLUMN`; the rest are a click away in the
list, filtered to that status. Moves post to the lead's status action (leads.views.LeadStatusView) without
JavaScript, and to its inline endpoint (leads.inline) with it, so both go through `change_lead_status`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.shortcuts import render
from django.urls import reverse

from leads.forms import LeadFilterForm, owner_queryset
from leads.models import Lead
from leads.selectors import LeadFilters, list_leads

CARDS_PER_COLUMN = 50
BOARD_STATUSES = (Lead.Status.NEW, Lead.Status.WORKING, Lead.Status.NURTURING, Lead.Status.QUALIFIED)


@dataclass
class StatusColumn:
    status: str
    label: str
    cards: list = field(default_factory=list)
    count: int = 0
    list_url: str = ""

    @property
    def hidden(self) -> int:
        return max(self.count - len(self.cards), 0)


def get_lead_board(user, filters: LeadFilters) -> list[StatusColumn]:
    """Return the open statuses as columns of the leads `user` may see narrowed by `filters`, in two queries."""
    leads = list_leads(user, replace(filters, status="open"))
    columns = {status: StatusColumn(status=status, label=Lead.Status(status).label) for status in BOARD_STATUSES}
    for row in leads.order_by().values("status").annotate(n=Count("id")):
        if row["status"] in columns:
            columns[row["status"]].count = row["n"]
    # The newest cards of every column in one query: rank leads within their status, keep the top ones.
    cards = (
        leads.annotate(
            rank=Window(RowNumber(), partition_by=[F("status")], order_by=[F("created_at").desc(), F("id").desc()])
        )
        .filter(rank__lte=CARDS_PER_COLUMN)
        .order_by("status", "rank")
    )
    for card in cards:
        if card.status in columns:
            columns[card.status].cards.append(card)
    return list(columns.values())


@login_required
def lead_board(request):
    """Open leads in status columns with counts; a rep sees their own, a manager their teams' (owner filter)."""
    user = request.user
    owners = list(owner_queryset(user)) if user.can_manage else []
    form = LeadFilterForm(request.GET or None, user=user, owners=owners)
    filters, _ = form.to_filters()
    if not user.can_manage:
        filters.owner = "me"
    columns = get_lead_board(user, filters)
    query = request.GET.copy()
    for column in columns:
        query["status"] = column.status
        column.list_url = f"{reverse('leads:list')}?{query.urlencode()}"
    context = {
        "form": form,
        "columns": columns,
        "status_choices": [(s, Lead.Status(s).label) for s in (*BOARD_STATUSES, Lead.Status.UNQUALIFIED)],
        "here": request.get_full_path(),
        "cards_per_column": CARDS_PER_COLUMN,
    }
    return render(request, "leads/lead_board.html", context)
