"""Field paths of a query (`Name`, `Account.Name`, `Owner.Name`) -> Django expressions over the queried object.

A parent field is read through a subquery over the parent object's `visible(user)`: a parent the user may not
see reads as null (the nested record is null), in SELECT, WHERE and ORDER BY alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F, OuterRef, Subquery

from integrations.salesforce.errors import SalesforceError
from integrations.salesforce.mapping import Field, SObject
from integrations.salesforce.objects import get_sobject

from . import nodes

MAX_RELATIONSHIP_DEPTH = 5  # as Salesforce: at most five levels of parent relationships


@dataclass(frozen=True)
class Relation:
    """One step up from a record to its parent: `Account` on a Contact."""

    name: str  # the relationship name as Salesforce spells it ("Account", "Owner", "ConvertedAccount")
    field: Field  # the reference field (AccountId)
    sobject: SObject  # the parent object


@dataclass(frozen=True)
class Resolved:
    """A field path resolved against an sObject: its expression, its leaf field and the relations it crosses."""

    expression: models.Expression
    field: Field
    relations: tuple[Relation, ...]
    leaf_sobject: SObject

    @property
    def names(self) -> tuple[str, ...]:
        return (*(relation.name for relation in self.relations), self.field.name)

    @property
    def plain_source(self) -> str | None:
        """The ORM path to use in a lookup when no parent is crossed and the field is a column."""
        return None if self.relations or self.field.expression is not None else self.field.source

    @property
    def is_datetime_column(self) -> bool:
        """Whether the value is stored as a datetime (a `date` field such as ConvertedDate may be)."""
        output = getattr(self.field.expression, "output_field", None) if self.field.expression is not None else None
        if output is None and self.field.source:
            output = model_field(self.leaf_sobject.model, self.field.source)
        return isinstance(output, models.DateTimeField)


def model_field(model: type[models.Model], source: str) -> models.Field | None:
    """The model field an ORM path ends on ("stage__name" -> Stage.name), or None when the path is not plain fields."""
    field = None
    for part in source.split("__"):
        if part == "pk":
            return model._meta.pk
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:  # a path through a reverse relation or a transform
            return None
        if field.is_relation and field.related_model is not None:
            model = field.related_model
    return field


def invalid_field(name: str, sobject: SObject) -> SalesforceError:
    return SalesforceError(
        "INVALID_FIELD",
        f"No such column '{name}' on entity '{sobject.name}'. If you are attempting to use a custom field, be sure "
        "to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the "
        "appropriate names.",
        fields=[name],
    )


def invalid_relationship(name: str, sobject: SObject) -> SalesforceError:
    return SalesforceError(
        "INVALID_FIELD",
        f"Didn't understand relationship '{name}' in field path on entity '{sobject.name}'. If you are attempting to "
        "use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference "
        "your WSDL or the describe call for the appropriate names.",
        fields=[name],
    )


def find_field(sobject: SObject, name: str) -> Field:
    wanted = name.casefold()
    for field in sobject.fields:
        if field.name.casefold() == wanted:
            if field.expression is None and not field.source:
                raise SalesforceError("INVALID_FIELD", f"field '{field.name}' can not be queried", fields=[field.name])
            return field
    raise invalid_field(name, sobject)


def find_relationship(sobject: SObject, name: str) -> Relation | None:
    wanted = name.casefold()
    for field in sobject.fields:
        if field.relationship_name and field.relationship_name.casefold() == wanted and field.reference_to:
            return Relation(field.relationship_name, field, get_sobject(field.reference_to))
    return None


def resolve(sobject: SObject, path: nodes.FieldPath, user) -> Resolved:
    """Resolve `path` on `sobject` for `user`; raises INVALID_FIELD naming the unknown part."""
    parts = path.parts
    if len(parts) > 1 and parts[0].casefold() == sobject.name.casefold() and not find_relationship(sobject, parts[0]):
        parts = parts[1:]  # "SELECT Lead.Name FROM Lead": the object's own name as a prefix
    if len(parts) > MAX_RELATIONSHIP_DEPTH + 1:
        raise SalesforceError(
            "MALFORMED_QUERY", f"{path}: at most {MAX_RELATIONSHIP_DEPTH} levels of parent relationships are supported."
        )
    return _resolve(sobject, parts, user)


def _resolve(sobject: SObject, parts: tuple[str, ...], user) -> Resolved:
    if len(parts) == 1:
        field = find_field(sobject, parts[0])
        expression = field.expression if field.expression is not None else F(field.source)
        return Resolved(expression, field, (), sobject)
    relation = find_relationship(sobject, parts[0])
    if relation is None:
        raise invalid_relationship(parts[0], sobject)
    inner = _resolve(relation.sobject, parts[1:], user)
    parent_rows = relation.sobject.visible(user).filter(pk=OuterRef(relation.field.source))
    value = parent_rows.annotate(soql_value=inner.expression).values("soql_value")[:1]
    return Resolved(Subquery(value), inner.field, (relation, *inner.relations), inner.leaf_sobject)
