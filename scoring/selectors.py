"""Reads of scoring: the active predictive model and the history it learns from."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Case, F, OuterRef, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from leads.models import Lead, LeadStatusChange
from scoring.models import ConversionModel

# The outcomes the predictive model learns from: a lead that converted, or one that was disqualified.
TERMINAL = (Lead.Status.CONVERTED.value, Lead.Status.UNQUALIFIED.value)


def get_active_conversion_model() -> ConversionModel | None:
    """The predictive model in use (the newest trained), or None before the first training."""
    return ConversionModel.objects.active().first()


def closed_at_expression() -> Case:
    """When a closed lead closed: converted_at, else its last change to unqualified (or updated_at)."""
    unqualified_at = Subquery(
        LeadStatusChange.objects.filter(lead=OuterRef("pk"), to_status=Lead.Status.UNQUALIFIED)
        .order_by("-changed_at")
        .values("changed_at")[:1]
    )
    return Case(
        When(status=Lead.Status.CONVERTED, then=F("converted_at")),
        default=Coalesce(unqualified_at, F("updated_at")),
    )


def closed_leads(*, now: datetime | None = None) -> QuerySet:
    """Leads that reached a terminal outcome inside the training window, annotated with `closed_at`."""
    since = (now or timezone.now()) - timedelta(days=settings.FUNNEL_PREDICTIVE_TRAINING_DAYS)
    return (
        Lead.objects.filter(status__in=TERMINAL).annotate(closed_at=closed_at_expression()).filter(closed_at__gte=since)
    )


def open_leads() -> QuerySet:
    return Lead.objects.exclude(status__in=TERMINAL)


def closed_leads_count(*, now: datetime | None = None) -> int:
    """Closed leads (converted or unqualified) inside the training window: what training can learn from."""
    return closed_leads(now=now).count()
