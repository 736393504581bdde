"""Saved views: a named list URL (filters, sort, columns) a rep reopens from the navigation."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse

from core.models import TimeStampedModel


class ListKey(models.TextChoices):
    LEADS = "leads", "Leads"
    ACCOUNTS = "accounts", "Accounts"
    CONTACTS = "contacts", "Contacts"
    OPPORTUNITIES = "opportunities", "Opportunities"


class SavedViewQuerySet(models.QuerySet):
    def visible_to(self, user) -> SavedViewQuerySet:
        """The user's own views and those shared with their team or a team they manage; admins see all."""
        if not user or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        return self.filter(self._own_or_team(user))

    def in_menu_of(self, user) -> SavedViewQuerySet:
        """What the navigation lists: the user's own views and their teams' (an admin's too: not everyone's)."""
        if not user or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(self._own_or_team(user))

    @staticmethod
    def _own_or_team(user) -> Q:
        condition = Q(owner=user) | Q(shared_with_team__manager=user)
        if user.team_id:
            condition |= Q(shared_with_team_id=user.team_id)
        return condition


class SavedView(TimeStampedModel):
    owner = models.ForeignKey("users.User", on_delete=models.CASCADE, related_name="saved_views")
    list_key = models.CharField(max_length=20, choices=ListKey.choices)
    name = models.CharField(max_length=80)
    query = models.CharField(
        max_length=2000, blank=True, help_text="The list's query string: filters, sort= and cols=, no page cursor."
    )
    shared_with_team = models.ForeignKey(
        "users.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="saved_views"
    )

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        ordering = ["list_key", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                "owner",
                "list_key",
                Lower("name"),
                name="saved_view_name_unique_per_owner_list",
                violation_error_message="You already have a view with this name on this list.",
            )
        ]
        indexes = [models.Index(fields=["shared_with_team", "list_key"], name="saved_view_team")]

    def __str__(self) -> str:
        return self.name

    @property
    def url(self) -> str:
        """The list this view opens, with its query string."""
        path = reverse(f"{self.list_key}:list")
        return f"{path}?{self.query}" if self.query else path
