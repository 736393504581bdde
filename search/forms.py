"""The search parameters, shared by the page and the API: `q`, `types` (comma list) and `limit`."""

from __future__ import annotations

from django import forms

from search.selectors import DEFAULT_LIMIT, MAX_LIMIT, MIN_LENGTH, TYPES, normalize_query


class SearchForm(forms.Form):
    q = forms.CharField(max_length=200, strip=False)
    types = forms.CharField(required=False)
    limit = forms.IntegerField(required=False, min_value=1)

    def clean_q(self) -> str:
        q = normalize_query(self.cleaned_data["q"])
        if len(q) < MIN_LENGTH:
            raise forms.ValidationError(f"Enter at least {MIN_LENGTH} characters.")
        return q

    def clean_types(self) -> tuple[str, ...]:
        names = [name.strip().lower() for name in (self.cleaned_data["types"] or "").split(",") if name.strip()]
        unknown = [name for name in names if name not in TYPES]
        if unknown:
            raise forms.ValidationError(f"Unknown type: {', '.join(unknown)}. Allowed: {', '.join(TYPES)}.")
        # In the order of TYPES, each once; none named means all.
        return tuple(type_ for type_ in TYPES if type_ in names) or TYPES

    def clean_limit(self) -> int:
        # Like the lists' page_size: larger values are clamped, not refused.
        return min(self.cleaned_data["limit"] or DEFAULT_LIMIT, MAX_LIMIT)
