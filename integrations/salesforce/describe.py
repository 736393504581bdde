"""Describe results: what the objects and their fields look like, in Salesforce's shape."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist

from integrations.salesforce.ids import KEY_PREFIXES
from integrations.salesforce.mapping import NUMBER_TYPES, TEXT_TYPES, Field, SObject

# Long text areas and computed names: Salesforce's lengths for them.
TEXTAREA_LENGTH = 32000
NAME_LENGTH = 255
SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
}


def object_urls(sobject: SObject, version: str) -> dict:
    base = f"/services/data/v{version}/sobjects/{sobject.name}"
    return {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"}


def describe_global_entry(sobject: SObject, version: str) -> dict:
    """The short description of `sobject` in the global describe and in basic information."""
    writable = sobject.name != "User"
    return {
        "name": sobject.name,
        "label": sobject.label,
        "labelPlural": sobject.label_plural,
        "keyPrefix": KEY_PREFIXES[sobject.name],
        "custom": False,
        "createable": writable,
        "updateable": writable,
        "deletable": writable,
        "queryable": True,
        "retrieveable": True,
        "searchable": False,
        "layoutable": False,
        "replicateable": False,
        "triggerable": False,
        "undeletable": False,
        "mergeable": False,
        "urls": object_urls(sobject, version),
    }


def _length(sobject: SObject, item: Field) -> int:
    if item.type == "id" or item.type == "reference":
        return 18
    if item.type not in TEXT_TYPES:
        return 0
    if item.source is None or "__" in item.source:
        return NAME_LENGTH
    try:
        max_length = sobject.model._meta.get_field(item.source).max_length
    except FieldDoesNotExist:
        return NAME_LENGTH
    return max_length or TEXTAREA_LENGTH


def describe_field(sobject: SObject, item: Field) -> dict:
    """One field of a describe result."""
    length = _length(sobject, item)
    values = item.picklist_values() if item.type == "picklist" else ()
    default = values[0][0] if values and item.defaulted_on_create and item.name == "Status" else None
    return {
        "name": item.name,
        "label": item.display_label,
        "type": item.type,
        "soapType": SOAP_TYPES.get(item.type, "xsd:string"),
        "length": length,
        "byteLength": length * 3,
        "precision": 18 if item.type in NUMBER_TYPES else 0,
        "scale": 2 if item.type in ("currency", "double") else 0,
        "digits": 9 if item.type == "int" else 0,
        "nillable": item.nillable,
        "createable": item.createable,
        "updateable": item.updateable,
        "defaultedOnCreate": item.defaulted_on_create or item.type in ("id", "boolean") or not item.createable,
        "calculated": item.expression is not None,
        "custom": item.name.endswith("__c"),
        "externalId": item.external_id,
        "idLookup": item.id_lookup,
        "unique": item.unique,
        "nameField": item.name == "Name",
        "caseSensitive": False,
        "filterable": True,
        "sortable": item.type != "textarea",
        "groupable": item.type not in ("textarea", "double", "currency", "percent", "datetime"),
        "autoNumber": False,
        "restrictedPicklist": item.type == "picklist",
        "dependentPicklist": False,
        "defaultValue": None,
        "picklistValues": [
            {"value": value, "label": value, "active": True, "defaultValue": value == default, "validFor": None}
            for value, _ in values
        ],
        "referenceTo": [item.reference_to] if item.type == "reference" else [],
        "relationshipName": item.relationship_name,
        "cascadeDelete": False,
        "restrictedDelete": item.type == "reference",
        "polymorphicForeignKey": False,
    }


def describe_sobject(sobject: SObject, version: str) -> dict:
    """The full describe of `sobject`."""
    return {
        **describe_global_entry(sobject, version),
        "fields": [describe_field(sobject, item) for item in sobject.fields],
        "childRelationships": [],
        "recordTypeInfos": [],
        "supportedScopes": [{"label": "All " + sobject.label_plural.lower(), "name": "everything"}],
    }
