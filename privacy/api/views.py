"""Privacy requests over the API: export everything held about a person, or erase it (admins only)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core import permissions as core_permissions
from core.query_params import refuse_unknown_query_params
from privacy.selectors import get_person_data
from privacy.services import erase_person


class IsAdmin(core_permissions.IsAdmin):
    """Admins only (session, or an admin-scope token): a privacy request reads and writes every owner's records."""

    message = "Only admins handle privacy requests (with an API token: one of the admin scope)."


class PersonSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, help_text="The person's address (compared trimmed, any case).")


class PrivacyExportView(APIView):
    """Everything held about one person, as JSON."""

    permission_classes = [IsAdmin]

    @extend_schema(
        parameters=[OpenApiParameter("email", str, required=True, description="The person's email address.")],
        responses={
            200: OpenApiResponse(description="Leads, contacts, timeline, emails, tracking, attachments, imports."),
            400: OpenApiResponse(description="`email` missing or not an email address."),
            403: OpenApiResponse(description="The caller is not an admin."),
            404: OpenApiResponse(description="Nothing is held about this address."),
        },
    )
    def get(self, request):
        refuse_unknown_query_params(request, ["email"])
        person = PersonSerializer(data={"email": request.query_params.get("email", "")})
        person.is_valid(raise_exception=True)
        data = get_person_data(person.validated_data["email"], user=request.user)
        if data is None:
            return Response(
                {"code": "not_found", "detail": "Nothing is held about this person."}, status=status.HTTP_404_NOT_FOUND
            )
        return Response(data)


class PrivacyEraseView(APIView):
    """Erase one person everywhere and suppress their address; answers the counts per kind of data."""

    permission_classes = [IsAdmin]

    @extend_schema(
        request=PersonSerializer,
        responses={
            200: inline_serializer(
                "ErasureDone",
                {
                    "erasure": serializers.IntegerField(),
                    "erased_at": serializers.DateTimeField(),
                    "counts": serializers.DictField(),
                },
            ),
            400: OpenApiResponse(description="`email` missing or not an email address."),
            403: OpenApiResponse(description="The caller is not an admin."),
            404: OpenApiResponse(description="Nothing was held; the address was still added to the suppression list."),
        },
    )
    def post(self, request):
        person = PersonSerializer(data=request.data)
        person.is_valid(raise_exception=True)
        erasure = erase_person(person.validated_data["email"], by=request.user)
        body = {"erasure": erasure.pk, "erased_at": erasure.erased_at, "counts": erasure.counts}
        if not erasure.found:
            body.update(
                code="not_found",
                detail="Nothing is held about this person; the address was added to the suppression list.",
            )
            return Response(body, status=status.HTTP_404_NOT_FOUND)
        return Response(body)
