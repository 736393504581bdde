"""Campaign pages: the list (everyone), one campaign with its members and report, the new and edit forms (managers
and admins; others get 403)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from campaigns.forms import CampaignForm
from campaigns.models import Campaign
from campaigns.selectors import list_campaign_members
from campaigns.services import create_campaign, update_campaign
from core.editing import RecordCreateView, RecordEditView
from core.lists import Column
from core.views import RecordListView, VisibleRecordsMixin

MEMBER_LIMIT = 100
ATTRIBUTION_MODELS = ("first_touch", "last_touch", "even_split")


class CampaignListView(RecordListView):
    """Every campaign, newest first, searchable by name, keyset-paged."""

    model = Campaign
    related = ("owner", "parent")
    template_name = "campaigns/campaign_list.html"
    context_object_name = "campaigns"
    cell_template = "campaigns/_campaign_cell.html"
    columns = (
        Column("name", "Name", sort="name", fixed=True),
        Column("type", "Type", sort="type"),
        Column("status", "Status", sort="status"),
        Column("start", "Start", sort="start_date", css="nowrap opt-narrow"),
        Column("end", "End", sort="end_date", css="nowrap opt-narrow", default=False),
        Column("budgeted_cost", "Budget", sort="budgeted_cost", css="num opt", default=False),
        Column("actual_cost", "Actual cost", sort="actual_cost", css="num"),
        Column("parent", "Parent", css="opt", default=False),
        Column("owner", "Owner", css="opt-narrow"),
        Column("created", "Created", sort="created_at", css="nowrap opt", default=False),
    )

    def search(self, campaigns, q: str):
        return campaigns.filter(name__icontains=q)

    def get_context_data(self, **context) -> dict:
        # Saved views cover the record lists of workspace.models.ListKey; campaigns are not among them.
        return {**context, "no_saved_views": True}


class CampaignDetailView(VisibleRecordsMixin, View):
    """One campaign: its details, child campaigns, the members the user can see and the report (`?attribution=`)."""

    model = Campaign
    related = ("owner", "parent")

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        campaign = self.get_object()
        attribution = request.GET.get("attribution", "")
        context = {
            "campaign": campaign,
            "children": list(campaign.children.order_by("name")),
            "members": list_campaign_members(campaign, request.user, limit=MEMBER_LIMIT),
            "member_count": campaign.members.visible_to(request.user).aggregate(n=Count("id"))["n"],
            "member_limit": MEMBER_LIMIT,
            "attribution": attribution if attribution in ATTRIBUTION_MODELS else "first_touch",
        }
        return render(request, "campaigns/campaign_detail.html", context)


class ManagersOnlyMixin:
    """The campaign forms are for managers and admins: anyone else gets 403 (campaigns are visible to all)."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated and not request.user.can_manage:
            raise PermissionDenied("Only managers and admins may create or edit campaigns.")
        return super().dispatch(request, *args, **kwargs)


class CampaignCreateView(ManagersOnlyMixin, RecordCreateView):
    model = Campaign
    form_class = CampaignForm

    def create(self, form: CampaignForm) -> Campaign:
        return create_campaign(by=self.request.user, **form.cleaned_data)


class CampaignEditView(ManagersOnlyMixin, RecordEditView):
    model = Campaign
    related = ("owner", "parent")
    form_class = CampaignForm

    def update(self, campaign: Campaign, form: CampaignForm) -> Campaign:
        return update_campaign(campaign, by=self.request.user, data=form.cleaned_data)


campaign_list = CampaignListView.as_view()
campaign_detail = CampaignDetailView.as_view()
campaign_create = CampaignCreateView.as_view()
campaign_edit = CampaignEditView.as_view()
