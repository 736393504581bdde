"""`/dashboard/forecast/` (quota against closed and expected, per team and rep) and `/dashboard/quotas/`.

The forecast is for every signed-in user: a rep sees their own row, a manager their teams', an admin everyone's
(definitions in `dashboards.selectors.forecast`); each table downloads as formula-safe CSV or XLSX. Quotas are set by
managers for the reps of the teams they manage and by admins for everyone, one at a time or from a CSV file.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from core.exceptions import ApplicationError
from core.replica import reads_replica
from core.views import add_service_error
from dashboards.exports import table_download
from dashboards.selectors.forecast import ForecastFilterError, get_forecast, parse_forecast_filters
from opportunities.forecasting import import_quotas_csv, quota_users, set_quota
from opportunities.models import PeriodKind, Quota
from opportunities.selectors import PERIODS, get_period
from users.models import Team, User

FIGURE_COLUMNS = [
    ("quota", "Quota"),
    ("closed_won", "Closed won"),
    ("commit", "Commit"),
    ("best_case", "Best case"),
    ("pipeline", "Pipeline"),
    ("weighted", "Weighted pipeline"),
    ("attainment", "Attainment (0-1)"),
    ("gap", "Gap to quota"),
    ("change_closed_won", "Closed won change since last week"),
    ("change_commit", "Commit change since last week"),
]
TABLES = {
    "teams": [("team", "Team"), *FIGURE_COLUMNS],
    "reps": [("rep", "Rep"), ("team", "Team"), *FIGURE_COLUMNS],
    "slipped": [
        ("name", "Deal"),
        ("owner", "Owner"),
        ("stage", "Stage"),
        ("amount", "Amount"),
        ("from_date", "Close date was"),
        ("to_date", "Moved to"),
        ("changed_at", "Moved on"),
        ("changed_by", "Moved by"),
    ],
}
MAX_UPLOAD_BYTES = 2_000_000


def _read(request: HttpRequest):
    try:
        return parse_forecast_filters(request.user, request.GET), None
    except (Team.DoesNotExist, User.DoesNotExist):
        raise Http404("No such team or rep.") from None
    except ForecastFilterError as exc:
        return parse_forecast_filters(request.user, {}), exc.message


@login_required
@reads_replica
def forecast_report(request: HttpRequest) -> HttpResponse:
    """The forecast of the reps the user may see for one period; a bad filter is named and the defaults shown."""
    filters, error = _read(request)
    context = {
        "filters": filters,
        "error": error,
        "report": get_forecast(request.user, filters),
        "periods": PERIODS,
        "teams": Team.objects.visible_to(request.user).only("pk", "name") if request.user.can_manage else [],
        "query": urlencode(filters.query()),
    }
    return render(request, "dashboards/forecast.html", context, status=400 if error else 200)


def _flat(row: dict) -> dict:
    change = row.get("change") or {}
    return {**row, "change_closed_won": change.get("closed_won"), "change_commit": change.get("commit")}


@login_required
@reads_replica
def forecast_export(request: HttpRequest, table: str, extension: str = "csv") -> HttpResponse:
    """Download one table of the forecast (teams, reps or slipped deals) as CSV or XLSX."""
    if table not in TABLES:
        raise Http404("No such table.")
    filters, error = _read(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    rows = [_flat(row) for row in get_forecast(request.user, filters)[table]]
    name = f"forecast-{table}-{filters.period.kind}-{filters.period.start.isoformat()}"
    return table_download(f"Forecast {table}", TABLES[table], rows, filename=name, extension=extension)


class QuotaForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), label="Rep")
    period = forms.ChoiceField(choices=PeriodKind.choices)
    period_start = forms.DateField(
        label="First day of the period", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    amount = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2)

    def __init__(self, *args, by: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = quota_users(by).order_by("username")


class QuotaUploadForm(forms.Form):
    file = forms.FileField(help_text="CSV with the columns user (username or email), period, period_start, amount.")


def _quota_page(request: HttpRequest, *, form=None, upload=None, status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    starts = {get_period(key, today=today).start for key, _label in PERIODS}
    quotas = (
        Quota.objects.visible_to(request.user)
        .filter(user__in=quota_users(request.user), period_start__gte=min(starts))
        .select_related("user")
        .order_by("period_start", "period", "user__username")[:500]
    )
    context = {
        "quotas": quotas,
        "form": form or QuotaForm(by=request.user, initial={"period": PeriodKind.MONTH, "period_start": min(starts)}),
        "upload": upload or QuotaUploadForm(),
    }
    return render(request, "dashboards/quotas.html", context, status=status)


def _manager_only(request: HttpRequest) -> None:
    if not request.user.can_manage:
        raise Http404("Quotas are set by managers and admins.")


@login_required
def quotas(request: HttpRequest) -> HttpResponse:
    """Quotas of the reps the manager leads (admins: everyone) from this period on; set one or upload a CSV."""
    _manager_only(request)
    if request.method != "POST":
        return _quota_page(request)
    form = QuotaForm(request.POST, by=request.user)
    if form.is_valid():
        try:
            set_quota(by=request.user, **form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Quota saved for {form.cleaned_data['user']}.")
            return redirect("dashboards:quotas")
    return _quota_page(request, form=form, status=400)


@login_required
def quotas_upload(request: HttpRequest) -> HttpResponse:
    """Set quotas from a CSV file, all or nothing; a bad row is named with its column."""
    _manager_only(request)
    if request.method != "POST":
        return redirect("dashboards:quotas")
    upload = QuotaUploadForm(request.POST, request.FILES)
    if upload.is_valid():
        raw = upload.cleaned_data["file"]
        try:
            if raw.size > MAX_UPLOAD_BYTES:
                raise ValidationError({"file": [f"The file is over {MAX_UPLOAD_BYTES // 1_000_000} MB."]})
            try:
                text = raw.read().decode("utf-8")
            except UnicodeDecodeError:
                raise ValidationError({"file": ["Save the file as UTF-8 CSV."]}) from None
            count = import_quotas_csv(text, by=request.user)
        except ValidationError as exc:
            upload.add_error("file", exc.messages)
        else:
            messages.success(request, f"{count} quotas saved.")
            return redirect("dashboards:quotas")
    return _quota_page(request, upload=upload, status=400)
