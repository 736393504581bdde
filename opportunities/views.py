from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from opportunities.models import Opportunity


@login_required
def opportunity_detail(request, pk: int):
    """One opportunity the user can see: its key fields."""
    opportunity = get_object_or_404(
        Opportunity.objects.visible_to(request.user).select_related("account", "stage", "owner"), pk=pk
    )
    return render(request, "opportunities/opportunity_detail.html", {"opportunity": opportunity})
