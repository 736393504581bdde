"""Drive admin change forms as a browser does: read the page, post its values back with a few changed."""

from __future__ import annotations

from typing import Any

from django import forms


def change_form_data(client, url: str, **changes: Any) -> dict[str, Any]:
    """Return the POST data of the admin form at `url` (inline formsets included) with `changes` applied."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    page_forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        page_forms += [inline.formset.management_form, *inline.formset.forms]
    data: dict[str, Any] = {}
    for form in page_forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if isinstance(field, forms.BooleanField):
                value = "on" if value else None
            if value is not None:
                data[form.add_prefix(name)] = value
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data
