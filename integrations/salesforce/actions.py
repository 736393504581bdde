"""The convertLead standard action: one input converted through the conversion service, in Salesforce's terms."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError

from conversion.services import convert_lead
from core.exceptions import ApplicationError
from integrations.salesforce import errors
from integrations.salesforce.errors import SalesforceError
from integrations.salesforce.ids import InvalidId, from_sf_id, to_sf_id
from integrations.salesforce.objects import LEAD_STATUS, SOBJECTS
from leads.exceptions import LeadAlreadyConverted, LeadConverted, LeadNotConvertible
from leads.models import Lead

CONVERTED_STATUSES = frozenset(value.casefold() for value, ours in LEAD_STATUS if ours == Lead.Status.CONVERTED)
INPUTS = frozenset(
    {
        "leadId",
        "accountId",
        "contactId",
        "convertedStatus",
        "doNotCreateOpportunity",
        "opportunityName",
        "ownerId",
        "overwriteLeadSource",
        "sendNotificationEmail",
    }
)
REFERENCES = {"leadId": "Lead", "accountId": "Account", "contactId": "Contact", "ownerId": "User"}
# Salesforce's limit on the inputs of one invocable action call.
MAX_INPUTS = 200


def _visible(name: str, value: Any, user):
    """The visible record an input id names; INVALID_CROSS_REFERENCE_KEY otherwise (malformed ids too)."""
    sobject = REFERENCES[name]
    try:
        _, pk = from_sf_id(value, sobject)
    except InvalidId:
        raise errors.invalid_cross_reference_key(name, value) from None
    found = SOBJECTS[sobject].visible(user).filter(pk=pk).first()
    if found is None:
        raise errors.invalid_cross_reference_key(name, value)
    return found


def _boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise SalesforceError(
        "INVALID_TYPE_ON_FIELD_IN_RECORD", f"{name}: value not of required type: {value}", fields=[name]
    )


def convert_input(data: Any, *, by) -> dict:
    """Convert the lead one input names; return its outputValues. Raises SalesforceError on a bad input."""
    if not isinstance(data, dict):
        raise errors.json_parser_error("Each input must be a JSON object.")
    unknown = sorted(set(data) - INPUTS)
    if unknown:
        raise errors.SalesforceError("INVALID_FIELD", f"Unknown input: {', '.join(unknown)}", fields=unknown)
    if not data.get("leadId"):
        raise errors.required_field_missing(["leadId"])
    status = data.get("convertedStatus")
    if status is not None and (not isinstance(status, str) or status.casefold() not in CONVERTED_STATUSES):
        raise SalesforceError("INVALID_STATUS", f"invalid convertedStatus: {status}", fields=["convertedStatus"])
    lead = _visible("leadId", data["leadId"], by)
    options: dict[str, Any] = {}
    if data.get("accountId"):
        options["account"] = _visible("accountId", data["accountId"], by)
    if data.get("contactId"):
        options["contact"] = _visible("contactId", data["contactId"], by)
    if data.get("ownerId"):
        options["owner"] = _visible("ownerId", data["ownerId"], by)
    options["create_opportunity"] = not _boolean("doNotCreateOpportunity", data.get("doNotCreateOpportunity", False))
    name = data.get("opportunityName")
    if name not in (None, ""):
        if not isinstance(name, str) or len(name) > 255:
            raise errors.string_too_long("opportunityName", 255)
        options["opportunity"] = {"name": name}
    try:
        result = convert_lead(lead, by=by, **options)
    except (LeadAlreadyConverted, LeadConverted):
        raise errors.converted_lead() from None
    except LeadNotConvertible as exc:
        raise SalesforceError("INVALID_STATUS", exc.detail, fields=["leadId"]) from None
    except ApplicationError as exc:
        if exc.status_code == 403:
            raise errors.insufficient_access(exc.detail) from None
        raise errors.validation_failed(exc.detail) from None
    except DjangoValidationError as exc:
        raise errors.validation_failed("; ".join(exc.messages)) from None
    return {
        "accountId": to_sf_id("Account", result.account.pk),
        "contactId": to_sf_id("Contact", result.contact.pk),
        "opportunityId": to_sf_id("Opportunity", result.opportunity.pk) if result.opportunity else None,
        "leadId": to_sf_id("Lead", result.lead.pk),
    }


def run_convert_lead(inputs: Any, *, by) -> tuple[list[dict], bool]:
    """Run every input on its own (one failing input leaves the others converted); return (results, any_success)."""
    if not isinstance(inputs, list) or not inputs:
        raise errors.json_parser_error('Expected {"inputs": [ … ]} with at least one input.')
    if len(inputs) > MAX_INPUTS:
        raise SalesforceError("LIMIT_EXCEEDED", f"An action call takes at most {MAX_INPUTS} inputs.")
    results, any_success = [], False
    for data in inputs:
        result: dict[str, Any] = {"actionName": "convertLead", "errors": None, "isSuccess": True, "version": 1}
        try:
            result["outputValues"] = convert_input(data, by=by)
            any_success = True
        except SalesforceError as exc:
            error = {"statusCode": exc.error_code, "message": exc.message, "fields": exc.fields}
            result.update(errors=[error], isSuccess=False, outputValues=None)
        results.append(result)
    return results, any_success
