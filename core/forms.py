"""Form parts the record pages share: the record picker (an id field that static/js/combobox.js turns into an
autocompleting combobox) and the duplicate hint a field asks for while the user types."""

from __future__ import annotations

from django import forms


class ComboboxInput(forms.TextInput):
    """A record picker for a `ModelChoiceField`: the record's id, with its name and the autocomplete URL as data.

    Without JavaScript it stays a plain id field the form validates against the field's queryset (the records the
    user may see). combobox.js keeps the id in a hidden input and shows an input with a listbox that searches
    `source` (`?q=`, plus `?<filter>=` the value of the form's `filter` field, e.g. the chosen account).
    """

    def __init__(self, *, source: str, filter_field: str = "", attrs: dict | None = None):
        super().__init__(attrs={"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})
        self.source = source
        self.filter_field = filter_field
        # Names the form already read (id → name), so that showing them costs no query.
        self.labels: dict[str, str] = {}

    def get_context(self, name: str, value, attrs) -> dict:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-combobox"] = ""
        widget_attrs["data-source"] = self.source
        if self.filter_field:
            widget_attrs["data-filter"] = self.filter_field
        widget_attrs["data-label"] = self.label_for(value)
        return context

    def label_for(self, value) -> str:
        """The name of the picked record; ModelChoiceField hands its widget the choices (and so the queryset)."""
        if value in (None, "") or not str(value).isdigit():
            return ""
        if str(value) in self.labels:
            return self.labels[str(value)]
        queryset = getattr(getattr(self, "choices", None), "queryset", None)
        if queryset is None:
            return ""
        record = queryset.filter(pk=int(value)).first()
        return str(record) if record is not None else ""


def duplicate_hint(url: str, param: str, *, exclude: int | None = None) -> dict[str, str]:
    """The attributes that make static/js/duplicates.js ask `url?<param>=<value>` for look-alikes while typing."""
    attrs = {"data-duplicates": url, "data-duplicates-param": param}
    if exclude:
        attrs["data-duplicates-exclude"] = str(exclude)
    return attrs
