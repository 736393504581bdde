"""Record writes in Salesforce terms, through our services only: create, update, upsert, delete, and the visible
read they start from. Free of requests, so the REST views and the Bulk API run the same code per record."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model

from accounts import services as account_services
from contacts import services as contact_services
from core.exceptions import ApplicationError
from core.text import normalize_email
from integrations.salesforce import errors
from integrations.salesforce.errors import SalesforceError
from integrations.salesforce.ids import InvalidId, from_sf_id, to_sf_id
from integrations.salesforce.mapping import Field, SObject
from integrations.salesforce.objects import API_VERSION, SOBJECTS
from leads.exceptions import LeadAlreadyConverted, LeadConverted
from leads.models import Lead
from leads.services import capture as lead_services
from opportunities import services as opportunity_services

# Upsert answers 300 with at most this many matching record URLs.
MAX_LISTED_MATCHES = 10


def get_visible(sobject: SObject, sf_id: str, user) -> Model:
    """The record `sf_id` of `sobject` that `user` may see; raises NOT_FOUND otherwise (malformed ids too)."""
    try:
        _, pk = from_sf_id(sf_id, sobject.name)
    except InvalidId:
        raise errors.not_found() from None
    queryset = sobject.visible(user).select_related(*sobject.select_related_paths())
    instance = queryset.filter(pk=pk).first()
    if instance is None:
        raise errors.not_found()
    return instance


def parse_data(sobject: SObject, data: Any, *, by, creating: bool) -> dict[str, Any]:
    """Turn a record body in Salesforce names into service keyword values; raises SalesforceError on bad input."""
    if not isinstance(data, dict):
        raise errors.json_parser_error(f"Expected a JSON object of {sobject.name} fields.")
    fields: list[tuple[Field, Any]] = []
    for name, value in data.items():
        if name == "attributes":
            continue
        fields.append((sobject.field(name), value))
    refused = [item.name for item, _ in fields if not (item.createable if creating else item.updateable)]
    if refused:
        raise errors.invalid_field_for_insert_update(refused)
    values: dict[str, Any] = {}
    for item, raw in fields:
        value = item.to_ours(raw)
        _check_length(sobject, item, value)
        if item.type == "reference" and value is not None:
            value = _resolve_reference(item, value, by=by)
        values[item.write_to] = value
    missing = [
        item.name
        for item in sobject.fields
        if item.required_on_create
        and (values.get(item.write_to) in (None, "") if (creating or item.write_to in values) else False)
    ]
    if missing:
        raise errors.required_field_missing(missing)
    return values


def _check_length(sobject: SObject, item: Field, value: Any) -> None:
    if not isinstance(value, str) or not item.source:
        return
    try:
        max_length = sobject.model._meta.get_field(item.source).max_length
    except FieldDoesNotExist:
        return
    if max_length and len(value) > max_length:
        raise errors.string_too_long(item.name, max_length)


def _resolve_reference(item: Field, pk: int, *, by) -> Model:
    target = SOBJECTS[item.reference_to].visible(by).filter(pk=pk).first()
    if target is None:
        raise errors.invalid_cross_reference_key(item.name, to_sf_id(item.reference_to, pk))
    return target


@transaction.atomic
def create_record(sobject: SObject, data: dict, *, by) -> Model:
    """Create a record of `sobject` from Salesforce-named `data` through its app's service."""
    values = parse_data(sobject, data, by=by, creating=True)
    with service_errors(sobject):
        if sobject.name == "Lead":
            if values.get("status") == Lead.Status.CONVERTED:
                raise errors.validation_failed("A lead becomes converted only through convertLead.", ["Status"])
            values.setdefault("source", Lead.Source.API)
            return lead_services.create_lead(by=by, **values)
        if sobject.name == "Account":
            return account_services.create_account(by=by, **values)
        if sobject.name == "Contact":
            return contact_services.create_contact(by=by, **values)
        if sobject.name == "Opportunity":
            return opportunity_services.create_opportunity(by=by, **values)
    raise errors.insufficient_access(f"{sobject.name} records are read-only here.")


@transaction.atomic
def update_record(sobject: SObject, instance: Model, data: dict, *, by) -> Model:
    """Update the visible `instance` of `sobject` from Salesforce-named `data` through its app's service."""
    values = parse_data(sobject, data, by=by, creating=False)
    with service_errors(sobject):
        if sobject.name == "Lead":
            if instance.is_converted:
                raise errors.converted_lead()
            if values.get("status") == Lead.Status.CONVERTED:
                raise errors.validation_failed("A lead becomes converted only through convertLead.", ["Status"])
            return lead_services.update_lead(instance, by=by, data=values)
        if sobject.name == "Account":
            return account_services.update_account(instance, by=by, data=values)
        if sobject.name == "Contact":
            return contact_services.update_contact(instance, by=by, data=values)
        if sobject.name == "Opportunity":
            return opportunity_services.update_opportunity(instance, by=by, data=values)
    raise errors.insufficient_access(f"{sobject.name} records are read-only here.")


@transaction.atomic
def delete_record(sobject: SObject, instance: Model, *, by) -> None:
    """Delete the visible `instance` of `sobject` through its app's service."""
    with service_errors(sobject):
        if sobject.name == "Lead":
            if instance.is_converted:
                raise errors.converted_lead()
            return lead_services.delete_lead(instance, by=by)
        if sobject.name == "Account":
            return account_services.delete_account(instance, by=by)
        if sobject.name == "Contact":
            return contact_services.delete_contact(instance, by=by)
        if sobject.name == "Opportunity":
            return opportunity_services.delete_opportunity(instance, by=by)
    raise errors.insufficient_access(f"{sobject.name} records are read-only here.")


def external_id_field(sobject: SObject, field_name: str) -> Field:
    """The external-id field `field_name` of `sobject` (External_Id__c; Email for leads); NOT_FOUND otherwise."""
    wanted = field_name.casefold() if isinstance(field_name, str) else ""
    for name in sobject.external_id_fields:
        if name.casefold() == wanted:
            return sobject.field(name)
    raise errors.not_found(f"Provided external ID field does not exist or is not accessible: {field_name}")


def find_by_external_id(sobject: SObject, field_name: str, value: Any, user) -> list[Model]:
    """The visible records whose external-id field equals `value` (up to MAX_LISTED_MATCHES + 1)."""
    item = external_id_field(sobject, field_name)
    ours = item.to_ours(value)
    if ours in (None, ""):
        raise errors.not_found()
    queryset = sobject.visible(user).select_related(*sobject.select_related_paths())
    if item.name == "Email":
        # One open lead per email: converted leads keep theirs and are not upsert targets.
        queryset = queryset.exclude(status=Lead.Status.CONVERTED).filter(email=normalize_email(ours))
    else:
        queryset = queryset.filter(**{item.source: ours})
    return list(queryset.order_by("pk")[: MAX_LISTED_MATCHES + 1])


@transaction.atomic
def upsert_record(sobject: SObject, field_name: str, value: Any, data: dict, *, by) -> tuple[Model, bool]:
    """Update the one visible record whose external-id field is `value`, or create it; return (record, created).

    Raises:
        SalesforceError: 300 with the matching URLs when several records match, or the create/update errors.
    """
    item = external_id_field(sobject, field_name)
    matches = find_by_external_id(sobject, item.name, value, by)
    if len(matches) > 1:
        raise errors.multiple_matches([sobject.url(match.pk, API_VERSION) for match in matches[:MAX_LISTED_MATCHES]])
    data = dict(data) if isinstance(data, dict) else data
    if isinstance(data, dict):
        for key in [key for key in data if isinstance(key, str) and key.casefold() == item.name.casefold()]:
            if data.pop(key) != value:
                raise errors.SalesforceError(
                    "INVALID_FIELD",
                    f"The external ID field {item.name} in the body does not match the URL.",
                    fields=[item.name],
                )
    if matches:
        return update_record(sobject, matches[0], data, by=by), False
    if isinstance(data, dict):
        data[item.name] = value
    return create_record(sobject, data, by=by), True


@contextmanager
def service_errors(sobject: SObject) -> Iterator[None]:
    """Turn our services' domain and validation errors into Salesforce errors naming Salesforce fields."""
    try:
        yield
    except SalesforceError:
        raise
    except (LeadConverted, LeadAlreadyConverted):
        raise errors.converted_lead() from None
    except ApplicationError as exc:
        raise _from_application_error(sobject, exc) from None
    except DjangoValidationError as exc:
        raise _from_validation_error(sobject, exc) from None


def _sf_field_name(sobject: SObject, ours: str | None) -> str | None:
    if not ours:
        return None
    for item in sobject.fields:
        if ours in (item.write_to, item.source):
            return item.name
    return None


def _from_application_error(sobject: SObject, exc: ApplicationError) -> SalesforceError:
    fields = [name] if (name := _sf_field_name(sobject, exc.field)) else []
    if exc.status_code == 404:
        return errors.not_found()
    if exc.status_code == 403:
        return SalesforceError("INSUFFICIENT_ACCESS_OR_READONLY", exc.detail, fields=fields)
    if exc.status_code == 409 and exc.code == "conflict":
        return errors.delete_failed(exc.detail)
    return errors.validation_failed(exc.detail, fields)


def _from_validation_error(sobject: SObject, exc: DjangoValidationError) -> SalesforceError:
    found: list[dict] = []
    for ours, problems in (exc.error_dict if hasattr(exc, "error_dict") else {"__all__": exc.error_list}).items():
        name = _sf_field_name(sobject, ours)
        for problem in problems:
            message = " ".join(problem.messages)
            if name == "Email" and "already exists" in message:
                error = SalesforceError(
                    "DUPLICATE_VALUE", f"duplicate value found: Email ({message})", fields=["Email"]
                )
            elif problem.code == "invalid" and name == "Email":
                error = SalesforceError("INVALID_EMAIL_ADDRESS", "Email: invalid email address", fields=["Email"])
            else:
                label = f"{name}: " if name else ""
                error = errors.validation_failed(f"{label}{message}", [name] if name else [])
            found.append(error.as_dict())
    first = found[0] if found else {"errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "message": "Invalid record."}
    return SalesforceError(first["errorCode"], first["message"], fields=first.get("fields", []), body=found or None)
