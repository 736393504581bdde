"""Accounts: the customer companies (not login accounts)."""

from __future__ import annotations

from django.db import models

from core.models import OwnedModel


class Account(OwnedModel):
    """A customer company, or (`is_person_account`) a person buying for themselves.

    A person account is named after its person and has exactly one contact, the person, created with it: lists
    and search show it as an account and its contact as a contact, both leading to the same person.
    """

    name = models.CharField(max_length=255)
    website = models.CharField(max_length=255, blank=True)
    domain = models.CharField(max_length=255, blank=True, db_index=True, help_text="Normalised, for matching.")
    industry = models.CharField(max_length=100, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    annual_revenue = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    billing_street = models.CharField(max_length=255, blank=True)
    billing_city = models.CharField(max_length=100, blank=True)
    billing_state = models.CharField(max_length=100, blank=True)
    billing_postal_code = models.CharField(max_length=20, blank=True)
    billing_country = models.CharField(max_length=100, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    description = models.TextField(blank=True)
    is_person_account = models.BooleanField(
        default=False,
        help_text="A person, not a company (B2C): the account carries its one contact's name, as in Salesforce.",
    )
    normalized_name = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    # The record's id in another system (the Salesforce-compatible API's External_Id__c): upserts match on it.
    external_id = models.CharField(max_length=255, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at", "-id"], name="account_owner_created"),
            # Only the few records an integration keyed carry an external id: the others write no entry.
            models.Index(fields=["external_id"], condition=~models.Q(external_id=""), name="account_external_id"),
        ]

    def __str__(self) -> str:
        return self.name
