from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from leads.models import Lead


@login_required
def home(request):
    """The signed-in user's open leads, newest first."""
    leads = Lead.objects.visible_to(request.user).open().select_related("owner").order_by("-created_at", "-id")[:50]
    return render(request, "leads/home.html", {"leads": leads})
