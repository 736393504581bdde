"""`POST /api/v1/web-to-lead/`: the public endpoint website forms post to."""

import contextlib

from django.http import HttpResponseRedirect
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.models import Campaign
from core.parsers import FormParser, JSONParser, MultiPartParser
from core.suppression import PersonErased
from core.viewsets import SafeQueryMixin
from leads.models import Lead, WebForm
from leads.services.campaigns import capture_web_form_submission_in_campaign
from leads.services.web_forms import HONEYPOT_FIELD, WEB_FORM_FIELDS
from users.api.views import IPRateThrottle


class WebToLeadThrottle(IPRateThrottle):
    scope = "web_to_lead"


class WebToLeadSerializer(serializers.ModelSerializer):
    form_key = serializers.CharField(max_length=64, help_text="The key of the web form (admin → Web forms).")
    return_url = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text="Redirect here (303) when it is allowed."
    )
    nickname = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Honeypot: hide it from people; a filled one is accepted silently and dropped.",
    )
    campaign = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Id of a campaign (not aborted) the lead joins as `responded`.",
    )
    campaign_id = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="Same as `campaign` (Salesforce's name)."
    )

    class Meta:
        model = Lead
        fields = ["form_key", "return_url", HONEYPOT_FIELD, "campaign", "campaign_id", *WEB_FORM_FIELDS]
        extra_kwargs = {"last_name": {"required": False}, "description": {"max_length": 5000}}
        validators: list = []

    def validate(self, attrs):
        for name in ("campaign", "campaign_id"):
            if name in attrs:
                campaign = Campaign.objects.open().filter(pk=attrs.pop(name)).first()
                if campaign is None:
                    raise serializers.ValidationError({name: ["Unknown or closed campaign."]})
                attrs["campaign"] = campaign
        return attrs


class WebToLeadView(SafeQueryMixin, APIView):
    """Public lead capture for website forms: no authentication, throttled per IP."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [WebToLeadThrottle]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request={
            "application/json": WebToLeadSerializer,
            "application/x-www-form-urlencoded": WebToLeadSerializer,
        },
        responses={
            201: inline_serializer("WebToLeadReceived", {"status": serializers.CharField()}),
            303: OpenApiResponse(description="Redirect to the allowed `return_url`."),
        },
        auth=[],
    )
    def post(self, request):
        payload = WebToLeadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        form = WebForm.objects.filter(form_key=data.pop("form_key"), is_active=True).first()
        if form is None:
            raise exceptions.ValidationError({"form_key": ["Unknown or inactive form."]})
        return_url = data.pop("return_url", "")
        if return_url and return_url not in form.return_urls:
            raise exceptions.ValidationError({"return_url": ["This return URL is not allowed for this form."]})
        if not data.pop(HONEYPOT_FIELD, ""):
            # An erased person's post stores nothing (the refusal is logged); the visitor gets the usual answer,
            # which tells no one who was erased.
            with contextlib.suppress(PersonErased):
                capture_web_form_submission_in_campaign(form, data=data, campaign=data.pop("campaign", None))
        if return_url:
            return HttpResponseRedirect(return_url, status=status.HTTP_303_SEE_OTHER)
        return Response({"status": "received"}, status=status.HTTP_201_CREATED)
