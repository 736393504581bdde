"""The erasure tombstones, read-only: who erased, when, how much (never whom)."""

from django.contrib import admin

from core.admin import FastModelAdmin, ReadOnlyAdminMixin
from privacy.models import Erasure


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyAdminMixin, FastModelAdmin):
    list_display = ["erased_at", "erased_by", "found", "counts"]
    list_filter = ["found"]
    date_hierarchy = "erased_at"
