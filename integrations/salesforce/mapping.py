"""The building blocks of the object table (objects.py): a Salesforce field over one of our model fields, and an
sObject over one of our models, with the value conversions both ways."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from integrations.salesforce import errors
from integrations.salesforce.ids import InvalidId, from_sf_id, to_sf_id
from integrations.salesforce.versions import API_VERSION

TEXT_TYPES = frozenset({"string", "email", "phone", "url", "textarea", "picklist"})
NUMBER_TYPES = frozenset({"double", "currency", "percent"})
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.000+0000"
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})


def format_datetime(value: dt.datetime | None) -> str | None:
    """Salesforce's datetime form, in UTC: "2026-12-05T10:00:00.000+0000"."""
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value.astimezone(dt.UTC).strftime(DATETIME_FORMAT)


def parse_sf_datetime(text: str) -> dt.datetime | None:
    """Parse "2026-12-05T10:00:00.000+0000", "…Z" or "…+01:00"; a value without a zone is UTC."""
    text = text.strip()
    text = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", text)
    parsed = parse_datetime(text.replace("Z", "+00:00"))
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    return parsed


def _label(name: str) -> str:
    base = name.removesuffix("__c").replace("_", " ")
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", base).replace("  ", " ").strip()


@dataclass(frozen=True)
class Field:
    """One Salesforce field of an sObject.

    `source` is our ORM path ("first_name", "owner_id", "stage__name"); computed fields have `expression` (a Django
    expression for filtering and ordering) and `getter` (the same value from an instance). Writes go to `write_to`:
    the model field a service takes (a reference's related object, e.g. "owner", or `write_source`).
    """

    name: str
    source: str | None
    type: str
    createable: bool = False
    updateable: bool = False
    nillable: bool = True
    picklist: tuple[tuple[str, str], ...] = ()
    reference_to: str | None = None
    relationship_name: str | None = None
    expression: Any = None
    getter: Callable[[Any], Any] | None = None
    aliases: tuple[tuple[str, str], ...] = ()
    label: str = ""
    length: int = 0
    defaulted_on_create: bool = False
    external_id: bool = False
    id_lookup: bool = False
    unique: bool = False
    write_source: str | None = None
    parser: Callable[[Any], Any] | None = None
    picklist_source: Callable[[], tuple[tuple[str, str], ...]] | None = dataclass_field(default=None, compare=False)

    @property
    def display_label(self) -> str:
        return self.label or _label(self.name)

    @property
    def relation_path(self) -> str | None:
        """The ORM path of the related row of a reference ("owner" for OwnerId), for parent fields such as Owner.Name."""
        if self.type not in ("reference", "id") or not self.source:
            return None
        return self.source.removesuffix("_id") if self.type == "reference" else None

    @property
    def write_to(self) -> str | None:
        if self.write_source:
            return self.write_source
        if self.type == "reference" and self.source:
            return self.source.removesuffix("_id")
        return self.source

    @property
    def required_on_create(self) -> bool:
        return self.createable and not self.nillable and not self.defaulted_on_create and self.type != "boolean"

    def picklist_values(self) -> tuple[tuple[str, str], ...]:
        return self.picklist_source() if self.picklist_source else self.picklist

    def value_of(self, instance: Model) -> Any:
        """Our value of this field on `instance`: through `getter` for computed fields, else along `source`."""
        if self.getter is not None:
            return self.getter(instance)
        value: Any = instance
        for part in (self.source or "").split("__"):
            if value is None:
                return None
            value = getattr(value, part)
        return value

    def to_sf(self, value: Any) -> Any:
        """Our value -> its JSON value as Salesforce sends it."""
        if value is None:
            return False if self.type == "boolean" else None
        kind = self.type
        if kind in ("id", "reference"):
            return to_sf_id(self.reference_to, value if isinstance(value, int) else value.pk)
        if kind == "picklist":
            for sf_value, ours in self.picklist_values():
                if ours == value:
                    return sf_value
            return value or None
        if kind in TEXT_TYPES:
            return str(value) if value != "" else None
        if kind == "boolean":
            return bool(value)
        if kind == "int":
            return int(value)
        if kind in NUMBER_TYPES:
            return float(value)
        if kind == "datetime":
            return format_datetime(value)
        if kind == "date":
            if isinstance(value, dt.datetime):
                value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
            return value.isoformat()
        return value

    def to_ours(self, value: Any) -> Any:
        """JSON (or CSV text) value -> ours; raises SalesforceError naming the field on a bad value."""
        if self.parser is not None:
            return self.parser(value)
        kind = self.type
        if value is None:
            if kind == "boolean":
                return False
            return "" if kind in TEXT_TYPES else None
        if kind == "picklist":
            return self._picklist_to_ours(value)
        if kind in TEXT_TYPES:
            if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
                raise errors.invalid_value(self.name, value)
            return str(value)
        if kind == "boolean":
            return self._boolean(value)
        if kind in ("id", "reference"):
            if not isinstance(value, str):
                raise errors.malformed_id(self.name, value)
            if value == "":
                return None
            try:
                return from_sf_id(value, self.reference_to)[1]
            except InvalidId:
                raise errors.malformed_id(self.name, value) from None
        if kind in ("int", *NUMBER_TYPES):
            return self._number(value)
        if kind in ("date", "datetime"):
            return self._temporal(value)
        raise errors.invalid_value(self.name, value)

    def _picklist_to_ours(self, value: Any) -> str:
        if not isinstance(value, str):
            raise errors.bad_picklist_value(self.name, value)
        if value == "":
            return ""
        wanted = value.strip().casefold()
        for sf_value, ours in (*self.picklist_values(), *self.aliases):
            if sf_value.casefold() == wanted:
                return ours
        raise errors.bad_picklist_value(self.name, value)

    def _boolean(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise errors.invalid_value(self.name, value)

    def _number(self, value: Any) -> int | Decimal | None:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise errors.invalid_value(self.name, value)
        if isinstance(value, str) and not value.strip():
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise errors.invalid_value(self.name, value) from None
        if not number.is_finite():
            raise errors.invalid_value(self.name, value)
        if self.type in ("int", "percent"):
            if number != number.to_integral_value():
                raise errors.invalid_value(self.name, value)
            return int(number)
        return number

    def _temporal(self, value: Any) -> dt.date | dt.datetime | None:
        if not isinstance(value, str):
            raise errors.invalid_value(self.name, value)
        if not value.strip():
            return None
        try:
            parsed = parse_date(value.strip()) if self.type == "date" else parse_sf_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:
            raise errors.invalid_value(self.name, value)
        return parsed


@dataclass(frozen=True)
class SObject:
    """One Salesforce object over one of our models."""

    name: str
    label: str
    label_plural: str
    model: type[Model]
    fields: tuple[Field, ...]
    external_id_fields: tuple[str, ...] = ("External_Id__c",)
    related: tuple[str, ...] = ()

    def field(self, name: str) -> Field:
        """The field named `name`, case-insensitively; raises INVALID_FIELD."""
        wanted = name.casefold() if isinstance(name, str) else name
        for candidate in self.fields:
            if candidate.name.casefold() == wanted:
                return candidate
        raise errors.invalid_field(str(name), self.name)

    def visible(self, user) -> QuerySet:
        return self.model.objects.visible_to(user)

    def url(self, pk: int, version: str) -> str:
        return f"/services/data/v{version}/sobjects/{self.name}/{to_sf_id(self.name, pk)}"

    def to_record(self, instance: Model, field_names=None, *, version: str | None = None) -> dict:
        """`instance` as Salesforce returns a record: attributes, then the fields (all, or `field_names`)."""
        chosen = self.fields if field_names is None else [self.field(name) for name in field_names]
        record: dict[str, Any] = {
            "attributes": {"type": self.name, "url": self.url(instance.pk, version or API_VERSION)}
        }
        for item in chosen:
            record[item.name] = item.to_sf(item.value_of(instance))
        return record

    def select_related_paths(self, field_names=None) -> list[str]:
        """The `select_related` paths `to_record` reads through (e.g. "stage" for StageName)."""
        chosen = self.fields if field_names is None else [self.field(name) for name in field_names]
        return sorted({item.source.rsplit("__", 1)[0] for item in chosen if item.source and "__" in item.source})
