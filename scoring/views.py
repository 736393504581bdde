"""The conversion model's quality page for managers and admins, and the admins' "Train now" button."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from scoring.prediction_state import history_state
from scoring.selectors import closed_leads_count, get_active_conversion_model


def _percent(value: float | None) -> int:
    return round((value or 0) * 100)


def calibration_rows(model) -> list[dict]:
    """The model's calibration deciles with their bar widths in percent (predicted vs actual conversion)."""
    return [
        {**row, "predicted_pct": _percent(row.get("predicted")), "actual_pct": _percent(row.get("actual"))}
        for row in model.calibration or []
    ]


@login_required
def conversion_model(request):
    """Show the active conversion model's quality against the rule score, or how much history training needs.

    Managers and admins only: the page describes every closed lead, not just the viewer's (reps get 403).
    """
    if not request.user.can_manage:
        raise PermissionDenied("Only managers and admins may see the conversion model.")
    model = get_active_conversion_model()
    context = {"model": model, **history_state(model.closed_leads if model else closed_leads_count())}
    if model is not None:
        context["calibration"] = calibration_rows(model)
        context["auc_pct"] = _percent(model.auc)
        context["rule_auc_pct"] = _percent(model.rule_score_auc)
    return render(request, "scoring/model.html", context)


@login_required
@require_POST
def train_conversion_model(request):
    """Queue a training run of the conversion model (admins only); the page shows the new version when it is done."""
    from scoring.tasks import train_conversion_model_task

    if not request.user.is_admin:
        raise PermissionDenied("Only admins may train the conversion model.")
    train_conversion_model_task.delay_on_commit(by_id=request.user.pk)
    messages.success(
        request,
        "Training queued: the model learns from the closed leads in the background and predicts every open lead. "
        "Reload this page in a minute to see the new version.",
    )
    return redirect("scoring:model")
