"""My tasks, completing them, and the shared handler that logs activity on any record."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from activities.forms import ActivityForm
from activities.models import Activity
from activities.selectors import list_open_tasks
from activities.services import complete_task, log_activity
from core.views import add_service_error, redirect_back


@login_required
def task_list(request):
    """The signed-in user's open tasks due today or overdue."""
    tasks = list(list_open_tasks(request.user)[:200])
    return render(request, "activities/task_list.html", {"tasks": tasks, "here": request.get_full_path()})


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
