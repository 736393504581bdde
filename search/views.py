"""The search page, `/search/?q=&types=`: the results of the header's search box, every type mixed, best first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from search import selectors
from search.forms import SearchForm
from search.targets import TARGETS


@login_required
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET) if "q" in request.GET else None
    results = []
    if form is not None and form.is_valid():
        results = selectors.search_records(
            request.user, form.cleaned_data["q"], types=form.cleaned_data["types"], limit=selectors.MAX_LIMIT
        )
    context = {
        "form": form,
        "q": request.GET.get("q", "").strip(),
        "type": request.GET.get("types", ""),
        "type_choices": [(target.type, f"{target.label}s") for target in TARGETS.values()],
        "results": results,
        "limit": selectors.MAX_LIMIT,
    }
    return render(request, "search/search_results.html", context)
