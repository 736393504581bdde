"""The query parameters an endpoint accepts: those its OpenAPI schema documents, and `format`.

A typo'd filter (`?statsu=working`) used to be ignored and return every record; a list (and the funnel report)
now answers 400 naming the parameter and the names it knows. A list's names come from the same places
drf-spectacular documents them from: the paginator, each filter backend, and the view's `extra_query_params`
(documented with `extend_schema`).
"""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from django_filters.widgets import SuffixedMultiWidget
from rest_framework import exceptions
from rest_framework.settings import api_settings


def filterset_param_names(filterset_class) -> list[str]:
    """The query parameters a filterset reads."""
    names = []
    for name, filter_ in filterset_class.base_filters.items():
        widget = filter_.extra.get("widget") or filter_.field_class.widget
        widget_class = widget if isinstance(widget, type) else type(widget)
        if issubclass(widget_class, SuffixedMultiWidget):
            # A range filter reads `score_min` and `score_max`, never `score` itself.
            names += [f"{name}_{suffix}" if suffix else name for suffix in widget.suffixes]
        else:
            names.append(name)
    return names


def list_allowed_query_params(view, request, queryset) -> list[str]:
    """Return the names a list accepts, as a reader looks for them: paging, search, ordering, filters, the rest."""
    names = []
    if view.paginator is not None:
        names += [parameter["name"] for parameter in view.paginator.get_schema_operation_parameters(view)]
    filters = []
    for backend_class in view.filter_backends:
        backend = backend_class()
        if isinstance(backend, DjangoFilterBackend):
            filterset_class = backend.get_filterset_class(view, queryset)
            if filterset_class is not None:
                filters += filterset_param_names(filterset_class)
        else:
            names += [parameter["name"] for parameter in backend.get_schema_operation_parameters(view)]
    names += filters
    names += list(getattr(view, "extra_query_params", ()))
    if api_settings.URL_FORMAT_OVERRIDE:
        names.append(api_settings.URL_FORMAT_OVERRIDE)
    return list(dict.fromkeys(names))


def refuse_unknown_query_params(request, allowed: list[str]) -> None:
    """Refuse a request carrying a query parameter outside `allowed` (plus `format`).

    Raises:
        ValidationError: one entry per unknown parameter, each naming the allowed ones.
    """
    if api_settings.URL_FORMAT_OVERRIDE and api_settings.URL_FORMAT_OVERRIDE not in allowed:
        allowed = [*allowed, api_settings.URL_FORMAT_OVERRIDE]
    unknown = [name for name in request.query_params if name not in allowed]
    if unknown:
        message = f"Unknown query parameter. Allowed: {', '.join(allowed)}."
        raise exceptions.ValidationError({name: [message] for name in unknown})


def check_query_params(view, request, queryset) -> None:
    """Refuse a list request carrying a parameter the list doesn't know.

    Raises:
        ValidationError: one entry per unknown parameter, each naming the allowed ones.
    """
    if request.query_params:
        refuse_unknown_query_params(request, list_allowed_query_params(view, request, queryset))


def refuse_invalid_form(form) -> None:
    """Answer 400 naming each field of a query form that did not validate, in DRF's error shape."""
    if not form.is_valid():
        raise exceptions.ValidationError(
            {field: [e["message"] for e in errors] for field, errors in form.errors.get_json_data().items()}
        )
