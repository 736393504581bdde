"""Opportunity pages: the list, one deal with its stage controls, the pipeline board, stage moves."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from activities.forms import ActivityForm
from activities.selectors import get_timeline
from activities.views import log_activity_on
from crm.common.exceptions import ApplicationError
from crm.common.keyset import keyset_page
from crm.common.views import add_service_error, paging_links, redirect_back
from crm.users.models import User
from opportunities.forms import BoardFilterForm, OpportunityForm, StageForm
from opportunities.models import Opportunity, OpportunityContactRole, OpportunityStageChange, Stage
from opportunities.selectors import get_board
from opportunities.services import move_opportunity_stage, update_opportunity


@login_required
def opportunity_list(request):
    """Deals the user can see, newest first; open ones by default; keyset-paged."""
    deals = Opportunity.objects.visible_to(request.user).select_related("account", "stage", "owner")
    show = request.GET.get("show", "open")
    if show == "open":
        deals = deals.filter(stage__is_closed=False)
    elif show == "won":
        deals = deals.filter(stage__is_won=True)
    elif show == "lost":
        deals = deals.filter(stage__is_closed=True, stage__is_won=False)
    q = request.GET.get("q", "").strip()
    if q:
        deals = deals.filter(Q(name__istartswith=q) | Q(account__name__istartswith=q))
    page = keyset_page(deals, sort="-created_at", after=request.GET.get("after"), before=request.GET.get("before"))
    context = {"opportunities": page.items, "q": q, "show": show, **paging_links(request, page)}
    return render(request, "opportunities/opportunity_list.html", context)


def _visible_opportunity(request, pk: int) -> Opportunity:
    return get_object_or_404(
        Opportunity.objects.visible_to(request.user).select_related("account", "stage", "owner"), pk=pk
    )


def _detail_context(request, opportunity: Opportunity, **overrides) -> dict:
    stages = list(Stage.objects.order_by("order", "id"))
    context = {
        "opportunity": opportunity,
        "stages": stages,
        "won_stage": next((s for s in stages if s.is_won), None),
        "lost_stage": next((s for s in stages if s.is_closed and not s.is_won), None),
        "stage_form": StageForm(initial={"stage": opportunity.stage_id}),
        "edit_form": OpportunityForm(instance=opportunity),
        "roles": list(OpportunityContactRole.objects.filter(opportunity=opportunity).select_related("contact")[:50]),
        "history": list(
            OpportunityStageChange.objects.filter(opportunity=opportunity)
            .select_related("from_stage", "to_stage", "changed_by")
            .order_by("-changed_at", "-id")[:50]
        ),
        "converted_lead": _converted_lead(request, opportunity),
        "timeline": get_timeline(request.user, opportunity=opportunity),
        "activity_form": ActivityForm(initial={"kind": "call"}),
        "log_url": reverse("opportunities:log_activity", args=[opportunity.pk]),
    }
    context.update(overrides)
    return context


def _converted_lead(request, opportunity: Opportunity):
    from leads.models import Lead

    return Lead.objects.visible_to(request.user).filter(converted_opportunity=opportunity).first()


@login_required
def opportunity_detail(request, pk: int):
    """One deal: stage controls, amount, probability, close date, contact roles, stage history, timeline."""
    opportunity = _visible_opportunity(request, pk)
    return render(request, "opportunities/opportunity_detail.html", _detail_context(request, opportunity))


@login_required
@require_POST
def opportunity_edit(request, pk: int):
    """Save the amount, close date, probability and next step of a deal."""
    opportunity = _visible_opportunity(request, pk)
    form = OpportunityForm(request.POST, instance=opportunity)
    if form.is_valid():
        try:
            update_opportunity(opportunity, by=request.user, data=form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Deal saved.")
            return redirect("opportunities:detail", pk=opportunity.pk)
    opportunity = _visible_opportunity(request, pk)
    return render(
        request,
        "opportunities/opportunity_detail.html",
        _detail_context(request, opportunity, edit_form=form),
        status=400,
    )


@login_required
@require_POST
def opportunity_move(request, pk: int):
    """Move a deal to another stage (board drag, keyboard buttons, or the deal page); lost needs a reason."""
    opportunity = _visible_opportunity(request, pk)
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
    return render(
        request,
        "opportunities/opportunity_detail.html",
        _detail_context(request, opportunity, stage_form=form),
        status=400,
    )


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


@login_required
@require_POST
def opportunity_log_activity(request, pk: int):
    """Log a note, call, meeting or task on a deal."""
    opportunity = _visible_opportunity(request, pk)
    return log_activity_on(
        request,
        record_name="opportunity",
        record=opportunity,
        success_url=reverse("opportunities:detail", args=[opportunity.pk]),
        render_page=lambda form: render(
            request,
            "opportunities/opportunity_detail.html",
            _detail_context(request, opportunity, activity_form=form),
            status=400,
        ),
    )
