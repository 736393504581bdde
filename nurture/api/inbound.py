"""`POST /api/v1/inbound-email/`: the mail provider posts replies here (Postmark inbound JSON, Mailgun routes),
and bounce and spam-complaint reports (Postmark bounce webhooks, Mailgun failed/complained events;
`nurture.bounces`).

No user signs in: the provider presents the shared secret `FUNNEL_INBOUND_EMAIL_TOKEN` as `Authorization: Bearer …`
or `?token=…` (compared in constant time). The body is read here, not by DRF's parsers, so the size limit
(`FUNNEL_INBOUND_EMAIL_MAX_BYTES`, 413) applies before anything is parsed.
"""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http.multipartparser import MultiPartParserError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.serializers import ErrorSerializer
from nurture.bounces import parse_bounce
from nurture.inbound import parse_inbound
from nurture.services.bounces import receive_bounce
from nurture.services.inbound import receive_inbound_email

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _error(code: str, detail: str, status_code: int, **extra) -> Response:
    return Response({"code": code, "detail": detail, **extra}, status=status_code)


def _presented_token(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.GET.get("token", "")


def _check_token(request) -> Response | None:
    expected = settings.FUNNEL_INBOUND_EMAIL_TOKEN
    presented = _presented_token(request)
    if not presented:
        response = _error("not_authenticated", "Present the inbound email token as Bearer or ?token=.", 401)
        response["WWW-Authenticate"] = 'Bearer realm="inbound-email"'
        return response
    if not expected or not hmac.compare_digest(presented.encode(), expected.encode()):
        return _error("permission_denied", "The inbound email token is not valid.", 403)
    return None


def _read_payload(request):
    """Return the posted data (a dict for JSON objects and forms) or an error Response."""
    limit = settings.FUNNEL_INBOUND_EMAIL_MAX_BYTES
    too_big = _error("payload_too_large", f"The email is larger than the limit of {limit} bytes.", 413)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _error("invalid", "Content-Length is not a number.", 400)
    if length > limit:
        return too_big
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        raw = request.read(limit + 1)
        if len(raw) > limit:
            return too_big
        try:
            return json.loads(raw.decode(request.encoding or "utf-8"))
        except UnicodeDecodeError:
            return _error("invalid_json", "The body is not UTF-8 text.", 400)
        except ValueError as exc:
            return _error("invalid_json", f"The body is not valid JSON: {exc}.", 400)
        except RecursionError:
            return _error("invalid_json", "The body is not valid JSON: it nests too deeply.", 400)
    if content_type in FORM_TYPES:
        try:
            return {name: request.POST.get(name) for name in request.POST}
        except RequestDataTooBig:
            return too_big
        except MultiPartParserError as exc:
            return _error("invalid_form", f"The form could not be read: {exc}.", 400)
    return _error(
        "unsupported_media_type",
        "Post JSON (Postmark) or a form (Mailgun): application/json or multipart/form-data.",
        415,
    )


class InboundEmailView(APIView):
    """A reply arrives: attach it to the lead or contact it answers (see `nurture.services.inbound`)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []
    parser_classes: list = []

    @extend_schema(
        auth=[],
        parameters=[OpenApiParameter("token", OpenApiTypes.STR, description="The shared secret, if not a Bearer.")],
        request={
            "application/json": OpenApiTypes.OBJECT,
            "multipart/form-data": OpenApiTypes.OBJECT,
            "application/x-www-form-urlencoded": OpenApiTypes.OBJECT,
        },
        responses={
            201: inline_serializer(
                "InboundEmailMatched",
                {
                    "matched": serializers.BooleanField(),
                    "duplicate": serializers.BooleanField(),
                    "record": serializers.DictField(),
                    "matched_by": serializers.CharField(),
                    "activity": serializers.IntegerField(),
                },
            ),
            200: inline_serializer("InboundEmailRepeat", {"matched": serializers.BooleanField()}),
            202: inline_serializer("InboundEmailUnmatched", {"matched": serializers.BooleanField()}),
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            413: ErrorSerializer,
            415: ErrorSerializer,
        },
        description=(
            "201: attached to a record; 200: this MessageID was already received (nothing new written); "
            '202 `{"matched": false}`: no record matches, nothing written. A bounce or complaint report answers '
            '`{"bounce": true, "kind", "leads", "marked"}`: 201 leads newly marked bouncing, 200 already marked; '
            '202 no lead has the address, or `{"bounce": false, "ignored"}` for a temporary bounce or another event.'
        ),
        tags=["inbound-email"],
    )
    def post(self, request):
        refused = _check_token(request._request)
        if refused is not None:
            return refused
        data = _read_payload(request._request)
        if isinstance(data, Response):
            return data
        bounce = parse_bounce(data)
        if bounce is not None:
            outcome = receive_bounce(bounce)
            code = 201 if outcome.marked else 200 if outcome.leads else 202
            return Response(outcome.as_json(), status=code)
        message = parse_inbound(data)
        result = receive_inbound_email(message)
        if not result.matched:
            return Response({"matched": False}, status=status.HTTP_202_ACCEPTED)
        code = status.HTTP_200_OK if result.duplicate else status.HTTP_201_CREATED
        return Response(result.as_json(), status=code)
