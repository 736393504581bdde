"""`GET /api/v1/search/?q=&types=&limit=`: one search box over leads, contacts, accounts and opportunities."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.query_params import refuse_invalid_form, refuse_unknown_query_params
from search import selectors
from search.api.serializers import SearchResponseSerializer
from search.forms import SearchForm

PARAMETERS = [
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        required=True,
        description=(
            f"At least {selectors.MIN_LENGTH} characters (after trimming; fewer is a 400). "
            f"{selectors.ANYWHERE_LENGTH} or more match anywhere in names, company, email, phone, website or "
            f"domain and an opportunity's account; {selectors.MIN_LENGTH} match the start of a word. Case and "
            "accents are ignored."
        ),
    ),
    OpenApiParameter(
        "types",
        OpenApiTypes.STR,
        description=f"Comma-separated, among {', '.join(selectors.TYPES)} (default: all). An unknown type is a 400.",
    ),
    OpenApiParameter(
        "limit",
        OpenApiTypes.INT,
        description=(
            f"Results to return, default {selectors.DEFAULT_LIMIT}, at most {selectors.MAX_LIMIT} (larger values are "
            "clamped)."
        ),
    ),
]
ERROR = inline_serializer("SearchError", {"detail": serializers.CharField()})


class SearchView(APIView):
    """Records the caller can see whose text contains `q`, best first."""

    @extend_schema(
        operation_id="search",
        summary="Search leads, contacts, accounts and opportunities",
        description=selectors.__doc__,
        parameters=PARAMETERS,
        responses={
            200: SearchResponseSerializer,
            400: OpenApiResponse(
                description="`q` missing or too short, an unknown type, a bad limit (named by field)."
            ),
            401: OpenApiResponse(ERROR, description="No credentials."),
            429: OpenApiResponse(ERROR, description="Throttled."),
        },
    )
    def get(self, request):
        refuse_unknown_query_params(request, [parameter.name for parameter in PARAMETERS])
        form = SearchForm(request.query_params)
        refuse_invalid_form(form)
        results = selectors.search_records(
            request.user, form.cleaned_data["q"], types=form.cleaned_data["types"], limit=form.cleaned_data["limit"]
        )
        body = [{"type": r.type, "id": r.id, "title": r.title, "subtitle": r.subtitle, "url": r.url} for r in results]
        return Response({"results": body})
