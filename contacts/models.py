"""Contacts: the people at accounts."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from core.models import OwnedModel, VisibleByOwnerQuerySet


class Contact(OwnedModel):
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254, blank=True, db_index=True)
    phone = models.CharField(max_length=50, blank=True)
    title = models.CharField(max_length=128, blank=True)
    department = models.CharField(max_length=100, blank=True)
    mailing_street = models.CharField(max_length=255, blank=True)
    mailing_city = models.CharField(max_length=100, blank=True)
    mailing_state = models.CharField(max_length=100, blank=True)
    mailing_postal_code = models.CharField(max_length=20, blank=True)
    mailing_country = models.CharField(max_length=100, blank=True)
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    other_accounts = models.ManyToManyField(
        "accounts.Account", through="contacts.AccountContactRelation", related_name="related_contacts", blank=True
    )
    lead_source = models.CharField(max_length=20, blank=True)
    do_not_contact = models.BooleanField(default=False)
    description = models.TextField(blank=True)
    # The record's id in another system (the Salesforce-compatible API's External_Id__c): upserts match on it.
    external_id = models.CharField(max_length=255, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at", "-id"], name="contact_owner_created"),
            # Only the few records an integration keyed carry an external id: the others write no entry.
            models.Index(fields=["external_id"], condition=~models.Q(external_id=""), name="contact_external_id"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class AccountContactRelationQuerySet(VisibleByOwnerQuerySet):
    visibility_field = "contact__owner"


class AccountContactRelation(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="contact_relations")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="account_relations")
    role = models.CharField(max_length=100, blank=True)
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AccountContactRelationQuerySet.as_manager()

    class Meta:
        ordering = ["account_id", "contact_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "contact"], name="account_contact_unique"),
            models.UniqueConstraint(
                fields=["contact"], condition=Q(is_primary=True), name="account_contact_one_primary"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} @ {self.account}"
