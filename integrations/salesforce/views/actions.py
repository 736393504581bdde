"""Invocable actions: POST …/actions/standard/convertLead."""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response

from integrations.salesforce import errors
from integrations.salesforce.actions import run_convert_lead
from integrations.salesforce.views.base import SalesforceView


class ConvertLeadView(SalesforceView):
    """Convert each input's lead; 200 when at least one input succeeded, else 400, with one result per input."""

    def post(self, request, version):
        if not isinstance(request.data, dict):
            raise errors.json_parser_error('Expected {"inputs": [ … ]}.')
        results, any_success = run_convert_lead(request.data.get("inputs"), by=request.user)
        return Response(results, status=status.HTTP_200_OK if any_success else status.HTTP_400_BAD_REQUEST)
