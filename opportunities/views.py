"""Opportunity pages: the list, one deal with its stage controls, the new and edit forms, the pipeline board,
stage moves."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.views import OnAccountMixin
from activities.forms import ActivityForm
from activities.selectors import get_timeline
from activities.views import log_activity_on
from core.editing import RecordCreateView, RecordEditView
from core.exceptions import ApplicationError
from core.lists import Column
from core.views import (
    LogActivityMixin,
    RecordActionMixin,
    RecordDetailView,
    RecordListView,
    add_service_error,
    redirect_back,
)
from opportunities.forecasting import set_forecast_category
from opportunities.forms import BoardFilterForm, ForecastForm, OpportunityForm, StageForm
from opportunities.models import Opportunity, OpportunityContactRole, OpportunityStageChange, Stage
from opportunities.selectors import get_board
from opportunities.services import create_opportunity, move_opportunity_stage, update_opportunity
from users.models import User


class OpportunityListView(RecordListView):
    """Deals the user can see, newest first; open ones by default; keyset-paged."""

    model = Opportunity
    related = ("account", "stage", "owner")
    template_name = "opportunities/opportunity_list.html"
    context_object_name = "opportunities"
    cell_template = "opportunities/_opportunity_cell.html"
    columns = (
        Column("name", "Name", sort="name", fixed=True),
        Column("account", "Account", css="opt-narrow"),
        Column("stage", "Stage"),
        Column("amount", "Amount", sort="amount", css="num"),
        Column("probability", "Prob.", sort="probability", css="num opt"),
        Column("close_date", "Close", sort="close_date", css="nowrap opt-narrow"),
        Column("owner", "Owner", css="opt-narrow"),
        Column("forecast_category", "Forecast", sort="forecast_category", default=False),
        Column("lead_source", "Lead source", sort="lead_source", default=False),
        Column("next_step", "Next step", default=False),
        Column("created", "Created", sort="created_at", css="nowrap", default=False),
    )

    def get_queryset(self):
        deals = super().get_queryset()
        show = self.request.GET.get("show", "open")
        if show == "open":
            deals = deals.filter(stage__is_closed=False)
        elif show == "won":
            deals = deals.filter(stage__is_won=True)
        elif show == "lost":
            deals = deals.filter(stage__is_closed=True, stage__is_won=False)
        return deals

    def search(self, deals, q: str):
        return deals.filter(Q(name__istartswith=q) | Q(account__name__istartswith=q))

    def get_context_data(self, **context) -> dict:
        return {**context, "show": self.request.GET.get("show", "open")}


class OpportunityDetailView(RecordDetailView):
    """One deal: stage controls, amount, probability, close date, contact roles, stage history, timeline."""

    model = Opportunity
    related = ("account", "stage", "owner", "sourced_by")
    template_name = "opportunities/opportunity_detail.html"
    timeline = get_timeline
    activity_form_class = ActivityForm
    log_activity = log_activity_on

    def get_extra_context(self, opportunity: Opportunity) -> dict:
        stages = list(Stage.objects.order_by("order", "id"))
        return {
            "stages": stages,
            "won_stage": next((s for s in stages if s.is_won), None),
            "lost_stage": next((s for s in stages if s.is_closed and not s.is_won), None),
            "stage_form": StageForm(initial={"stage": opportunity.stage_id}),
            "forecast_form": ForecastForm(
                initial={"forecast_category": opportunity.forecast_category, "forecast_note": opportunity.forecast_note}
            ),
            "roles": list(
                OpportunityContactRole.objects.filter(opportunity=opportunity).select_related("contact")[:50]
            ),
            "history": list(
                OpportunityStageChange.objects.filter(opportunity=opportunity)
                .select_related("from_stage", "to_stage", "changed_by")
                .order_by("-changed_at", "-id")[:50]
            ),
            "converted_lead": self._converted_lead(opportunity),
        }

    def _converted_lead(self, opportunity: Opportunity):
        # Leads are an app above opportunities: read through the reverse relation, not its module.
        lead_model = opportunity._meta.get_field("converted_lead").related_model
        return lead_model.objects.visible_to(self.request.user).filter(converted_opportunity=opportunity).first()


class OpportunityCreateView(OnAccountMixin, RecordCreateView):
    """A new deal on an account (`?account=` preselects it), the user's own unless a manager picks the owner."""

    model = Opportunity
    form_class = OpportunityForm

    def create(self, form: OpportunityForm) -> Opportunity:
        return create_opportunity(by=self.request.user, **form.service_data())


class OpportunityEditView(RecordEditView):
    """Edit a deal the user can see: its details, stage, owner and contact roles."""

    model = Opportunity
    related = ("account", "stage", "owner")
    form_class = OpportunityForm

    def update(self, opportunity: Opportunity, form: OpportunityForm) -> Opportunity:
        return update_opportunity(opportunity, by=self.request.user, data=form.service_data())


class OpportunityMoveView(RecordActionMixin, OpportunityDetailView):
    """Move a deal to another stage (board drag, keyboard buttons, or the deal page); lost needs a reason."""

    def post(self, request, *args, **kwargs):
        opportunity = self.get_object()
        form = StageForm(request.POST)
        fallback = reverse("opportunities:detail", args=[opportunity.pk])
        if form.is_valid():
            try:
                opportunity = move_opportunity_stage(
                    opportunity,
                    stage=form.cleaned_data["stage"],
                    by=request.user,
                    lost_reason=form.cleaned_data["lost_reason"],
                )
            except (ValidationError, ApplicationError) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"{opportunity.name} moved to {opportunity.stage}.")
                return redirect_back(request, fallback)
        if request.POST.get("next"):
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
            # A lost reason is asked for on the deal page, where there is room to type it.
            return redirect(fallback)
        return self.render_page(opportunity, status=400, stage_form=form)


class OpportunityForecastView(RecordActionMixin, OpportunityDetailView):
    """The owner (or their manager) puts an open deal in another forecast category, with a note."""

    def post(self, request, *args, **kwargs):
        opportunity = self.get_object()
        form = ForecastForm(request.POST)
        if form.is_valid():
            try:
                set_forecast_category(
                    opportunity,
                    category=form.cleaned_data["forecast_category"],
                    note=form.cleaned_data["forecast_note"],
                    by=request.user,
                )
            except (ValidationError, ApplicationError) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "Forecast category saved.")
                return redirect("opportunities:detail", opportunity.pk)
        return self.render_page(opportunity, status=400, forecast_form=form)


class OpportunityLogActivityView(LogActivityMixin, OpportunityDetailView):
    """Log a note, call, meeting or task on a deal."""


@login_required
def pipeline_board(request):
    """Open deals in stage columns with count, amount and weighted amount; filter by owner and close month."""
    owners = list(User.objects.visible_to(request.user).filter(is_active=True).order_by("username"))
    form = BoardFilterForm(request.GET or None, owners=owners)
    owner_id, close_month = None, None
    if request.GET and form.is_valid():
        owner_id = int(form.cleaned_data["owner"]) if form.cleaned_data["owner"] else None
        close_month = form.cleaned_data["close_month"]
    columns = get_board(request.user, owner_id=owner_id, close_month=close_month)
    stages = [column.stage for column in columns]
    for index, column in enumerate(columns):
        column.next_stage = stages[index + 1] if index + 1 < len(stages) else None
    all_stages = list(Stage.objects.order_by("order", "id"))
    context = {"form": form, "columns": columns, "all_stages": all_stages, "here": request.get_full_path()}
    return render(request, "opportunities/pipeline_board.html", context)


opportunity_list = OpportunityListView.as_view()
opportunity_detail = OpportunityDetailView.as_view()
opportunity_create = OpportunityCreateView.as_view()
opportunity_edit = OpportunityEditView.as_view()
opportunity_move = OpportunityMoveView.as_view()
opportunity_log_activity = OpportunityLogActivityView.as_view()
opportunity_forecast = OpportunityForecastView.as_view()
