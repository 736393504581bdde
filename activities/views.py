"""My tasks, completing them, and the shared handler that logs activity on any record."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from activities.forms import ActivityForm
from activities.models import Activity, Notification
from activities.selectors import TASK_TABS, count_open_tasks, get_week, list_tasks
from activities.services import complete_task, log_activity, mark_all_notifications_read, mark_notification_read
from core.views import add_service_error, redirect_back

# An open tab lists at most this many tasks (soonest first): a list to work through, not an archive.
TASKS_SHOWN = 200


@login_required
def task_list(request):
    """The signed-in user's tasks in tabs: due today, overdue, upcoming (next two weeks), done."""
    tab = request.GET.get("tab", "today")
    if tab not in TASK_TABS:
        tab = "today"
    counts = count_open_tasks(request.user)
    tabs = [{"key": key, "label": label, "count": counts.get(key)} for key, label in TASK_TABS.items()]
    context = {
        "tab": tab,
        "tabs": tabs,
        "tasks": list(list_tasks(request.user, tab=tab)[:TASKS_SHOWN]),
        "today": timezone.localdate(),
        "here": request.get_full_path(),
    }
    return render(request, "activities/task_list.html", context)


def _parse_day(text: str):
    """A date from YYYY-MM-DD, or None for anything else (a bad link shows this week, not an error)."""
    try:
        day = parse_date(text[:10])
    except ValueError:
        return None
    return day if day and 1900 < day.year < 9000 else None


@login_required
def week_calendar(request):
    """The signed-in user's week: tasks by due time and meetings, Monday to Sunday, `?week=YYYY-MM-DD`."""
    today = timezone.localdate()
    days = get_week(request.user, day=_parse_day(request.GET.get("week", "")) or today)
    monday = days[0].day
    context = {
        "days": days,
        "monday": monday,
        "sunday": days[-1].day,
        "previous": monday - timedelta(days=7),
        "next": monday + timedelta(days=7),
        "this_week": monday <= today <= days[-1].day,
    }
    return render(request, "activities/calendar.html", context)


@login_required
@require_POST
def task_complete(request, pk: int):
    """Mark one of the user's visible tasks done."""
    task = get_object_or_404(Activity.objects.visible_to(request.user).filter(kind=Activity.Kind.TASK), pk=pk)
    complete_task(task, by=request.user)
    messages.success(request, f"Done: {task.subject}")
    return redirect_back(request, "/tasks/")


def log_activity_on(request, *, record_name: str, record, success_url: str, render_page):
    """Validate the activity form and log it on `record`; on bad input re-render the page with the form."""
    form = ActivityForm(request.POST)
    if form.is_valid():
        try:
            log_activity(by=request.user, **{record_name: record}, **form.service_kwargs())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{form.cleaned_data['kind'].capitalize()} added.")
            return redirect(success_url + "#timeline")
    return render_page(form)


# The bell's menu lists this many of the latest notifications; the page lists more.
MENU_SHOWN = 8
PAGE_SHOWN = 100


@login_required
def notification_list(request):
    """The signed-in user's latest notifications, unread first marked; each can be marked read."""
    notifications = list(Notification.objects.visible_to(request.user)[:PAGE_SHOWN])
    context = {"notifications": notifications, "here": request.get_full_path()}
    return render(request, "activities/notification_list.html", context)


@login_required
def notification_menu(request):
    """The bell's menu, fetched when it opens (so that pages pay nothing for it)."""
    notifications = list(Notification.objects.visible_to(request.user)[:MENU_SHOWN])
    # The page the menu opened on, to come back to after marking read.
    here = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(here, allowed_hosts={request.get_host()}):
        here = ""
    return render(request, "activities/_notification_menu.html", {"notifications": notifications, "here": here})


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one of the user's notifications read (another's answers 404), then go back or to its link."""
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    mark_notification_read(notification, by=request.user)
    if request.POST.get("open") and notification.url.startswith("/"):
        return redirect(notification.url)
    return redirect_back(request, reverse("notifications:list"))


@login_required
@require_POST
def notifications_read_all(request):
    """Mark all of the user's notifications read."""
    count = mark_all_notifications_read(by=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return redirect_back(request, reverse("notifications:list"))
