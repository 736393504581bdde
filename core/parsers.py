"""Request parsers that refuse NUL characters: PostgreSQL cannot store them in text."""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

NUL = "\x00"


def contains_nul(value: Any) -> bool:
    """True when a NUL character hides anywhere in `value` (keys, strings, nested lists and dicts)."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    if hasattr(value, "lists"):  # QueryDict
        return any(contains_nul(k) or contains_nul(v) for k, v in value.lists())
    return False


def _reject_nul(data: Any) -> Any:
    if contains_nul(data):
        raise ParseError("Null characters (\\u0000) are not allowed in the request.")
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _reject_nul(super().parse(stream, media_type, parser_context))


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _reject_nul(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        _reject_nul(result.data)
        return result
