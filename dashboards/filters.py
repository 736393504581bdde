"""The dashboard's filters: parsed once from the query string, scoped to what the user may pick."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from leads.models import LeadSource
from users.models import Team, User

PRESETS = [
    ("this_month", "This month"),
    ("last_30", "Last 30 days"),
    ("last_90", "Last 90 days"),
    ("this_quarter", "This quarter"),
    ("ytd", "Year to date"),
]
DEFAULT_PRESET = "last_30"
DEFAULT_IDLE_DAYS = 14


def preset_range(preset: str, *, today: date | None = None) -> tuple[date, date]:
    """Return the inclusive (first day, last day) of a named date preset."""
    today = today or timezone.localdate()
    if preset == "this_month":
        return today.replace(day=1), today
    if preset == "last_90":
        return today - timedelta(days=89), today
    if preset == "this_quarter":
        return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    if preset == "ytd":
        return date(today.year, 1, 1), today
    return today - timedelta(days=29), today


@dataclass(frozen=True)
class FunnelFilters:
    """Created-date range (inclusive days), team (owner's team), owner, source and the idle threshold."""

    created_after: date
    created_before: date
    team: Team | None = None
    owner: User | None = None
    source: str = ""
    idle_days: int = DEFAULT_IDLE_DAYS
    preset: str = ""

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.created_after, time.min))

    @property
    def end(self) -> datetime:
        """The exclusive upper bound: midnight after `created_before`."""
        return timezone.make_aware(datetime.combine(self.created_before + timedelta(days=1), time.min))

    def query_params(self) -> dict[str, str]:
        """Return every filter as query parameters; a preset comes with the range it stands for today."""
        params = {"preset": self.preset} if self.preset else {}
        params.update(created_after=self.created_after.isoformat(), created_before=self.created_before.isoformat())
        if self.team:
            params["team"] = str(self.team.pk)
        if self.owner:
            params["owner"] = str(self.owner.pk)
        if self.source:
            params["source"] = self.source
        if self.idle_days != DEFAULT_IDLE_DAYS:
            params["idle_days"] = str(self.idle_days)
        return params


def selectable_teams(user: User):
    """Teams `user` may filter by: all for admins, managed ones for managers, their own for reps."""
    if user.is_admin:
        return Team.objects.all()
    if user.is_manager:
        return Team.objects.filter(manager=user)
    return Team.objects.filter(pk=user.team_id) if user.team_id else Team.objects.none()


def selectable_owners(user: User):
    """Owners `user` may filter by: everyone for admins, themselves and their teams for managers, reps themselves."""
    if user.is_admin:
        return User.objects.all()
    if user.is_manager:
        return User.objects.filter(Q(pk=user.pk) | Q(team__manager=user)).distinct()
    return User.objects.filter(pk=user.pk)


class DateInput(forms.DateInput):
    """The browser's date picker; its value is always ISO `YYYY-MM-DD`, whatever the locale."""

    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class FunnelFilterForm(forms.Form):
    """Every dashboard filter, all in the query string so that each survives the others.

    The preset travels as a hidden field beside the two date pickers, which show its range. When the submitted
    dates are the preset's own range (or absent) the preset wins and stays rolling; dates that differ make a custom
    range. Neither date: the preset, by default `last_30`.
    """

    preset = forms.ChoiceField(choices=[("", "Custom range"), *PRESETS], required=False, widget=forms.HiddenInput)
    created_after = forms.DateField(required=False, label="Created from", widget=DateInput)
    created_before = forms.DateField(required=False, label="Created to", widget=DateInput)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="All teams")
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="All owners")
    source = forms.ChoiceField(choices=[("", "All sources"), *LeadSource.choices], required=False)
    idle_days = forms.IntegerField(required=False, min_value=1, max_value=365, label="Idle for (days)")

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = selectable_teams(user)
        self.fields["owner"].queryset = selectable_owners(user).order_by("name", "username", "id")
        if not user.can_manage:
            # A rep's funnel is their own: team and owner ride along in the URL but are not controls.
            self.fields["team"].widget = forms.HiddenInput()
            self.fields["owner"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        after, before, preset = data.get("created_after"), data.get("created_before"), data.get("preset")
        if self.errors:
            return data
        if preset and (after, before) in {(None, None), preset_range(preset)}:
            after, before = preset_range(preset)
        elif after is None and before is None:
            preset = DEFAULT_PRESET
            after, before = preset_range(preset)
        elif after is None or before is None:
            today = timezone.localdate()
            after = after or (before or today) - timedelta(days=29)
            before = before or max(after, today)
            preset = ""
        else:
            preset = ""
        if after > before:
            self.add_error("created_before", "The end of the range must not be before its start.")
        data.update(created_after=after, created_before=before, preset=preset)
        return data

    def to_filters(self) -> FunnelFilters:
        data = self.cleaned_data
        return FunnelFilters(
            created_after=data["created_after"],
            created_before=data["created_before"],
            team=data.get("team"),
            owner=data.get("owner"),
            source=data.get("source") or "",
            idle_days=data.get("idle_days") or DEFAULT_IDLE_DAYS,
            preset=data.get("preset") or "",
        )


def parse_filters(user: User, params) -> tuple[FunnelFilters | None, FunnelFilterForm]:
    """Parse query parameters into filters; None with the bound form's errors when they are invalid.

    Valid filters come with an unbound form pre-filled from them, so every control shows what the page shows (a
    preset's dates included), not just what the URL happened to spell out.
    """
    form = FunnelFilterForm(params, user=user)
    if not form.is_valid():
        return None, form
    filters = form.to_filters()
    initial = {**filters.query_params(), "idle_days": filters.idle_days}
    return filters, FunnelFilterForm(initial=initial, user=user)


def scope(qs: QuerySet, filters: FunnelFilters, *, source_field: str = "source") -> QuerySet:
    """Narrow `qs` by the filters' team (the owner's team), owner and source: leads, deals and report rollups."""
    if filters.team is not None:
        qs = qs.filter(owner__in=User.objects.filter(team=filters.team).values("pk"))
    if filters.owner is not None:
        qs = qs.filter(owner=filters.owner)
    if filters.source:
        qs = qs.filter(**{source_field: filters.source})
    return qs
