"""The Salesforce objects this API serves and how their fields map to our models: one declarative table.

Picklists map both ways; values listed as aliases are accepted on input and never sent. docs/integrations.md
prints these tables for users.
"""

from __future__ import annotations

from django.db.models import BooleanField, Case, CharField, ExpressionWrapper, F, Q, Value, When
from django.db.models.functions import Concat, Trim

from accounts.models import Account
from contacts.models import Contact
from integrations.salesforce import errors
from integrations.salesforce.mapping import Field, SObject
from integrations.salesforce.versions import API_VERSION, SUPPORTED_VERSIONS
from leads.models import Lead
from opportunities.models import ForecastCategory, Opportunity, Stage
from users.models import User

__all__ = ["API_VERSION", "SOBJECTS", "SUPPORTED_VERSIONS", "get_sobject", "sobject_for_model"]


LEAD_STATUS = (
    ("Open - Not Contacted", Lead.Status.NEW),
    ("Working - Contacted", Lead.Status.WORKING),
    ("Nurturing", Lead.Status.NURTURING),
    ("Qualified", Lead.Status.QUALIFIED),
    ("Closed - Not Converted", Lead.Status.UNQUALIFIED),
    ("Closed - Converted", Lead.Status.CONVERTED),
)
LEAD_SOURCE = (
    ("Web", "web"),
    ("Web Form", "web_form"),
    ("External Referral", "referral"),
    ("Trade Show", "trade_show"),
    ("Webinar", "webinar"),
    ("Email", "email_campaign"),
    ("Advertisement", "advertising"),
    ("Social Media", "social"),
    ("Partner Referral", "partner"),
    ("Cold Call", "cold_call"),
    ("Purchased List", "import"),
    ("API", "api"),
    ("Other", "other"),
)
# Salesforce's other default values, accepted on input and stored as their nearest source.
LEAD_SOURCE_ALIASES = (
    ("Phone Inquiry", "cold_call"),
    ("Employee Referral", "referral"),
    ("Referral", "referral"),
    ("Seminar - Internal", "webinar"),
    ("Seminar - Partner", "webinar"),
    ("Partner", "partner"),
)
RATING = (("Hot", Lead.Rating.HOT), ("Warm", Lead.Rating.WARM), ("Cold", Lead.Rating.COLD))
FORECAST_CATEGORY = (
    ("Pipeline", ForecastCategory.PIPELINE),
    ("Best Case", ForecastCategory.BEST_CASE),
    ("Commit", ForecastCategory.COMMIT),
    ("Closed", ForecastCategory.CLOSED),
    ("Omitted", ForecastCategory.OMITTED),
)
USER_ROLE = (("Sales Rep", User.Role.REP), ("Sales Manager", User.Role.MANAGER), ("Admin", User.Role.ADMIN))


def _stage_picklist() -> tuple[tuple[str, str], ...]:
    """StageName's values are our stages' names, in pipeline order."""
    return tuple((name, name) for name in Stage.objects.order_by("order", "id").values_list("name", flat=True))


def _parse_stage(value) -> Stage:
    stage = Stage.objects.filter(name__iexact=value.strip()).first() if isinstance(value, str) else None
    if stage is None:
        raise errors.bad_picklist_value("StageName", value)
    return stage


def _full_name() -> Trim:
    return Trim(Concat("first_name", Value(" "), "last_name", output_field=CharField()))


def _edit(name: str, source: str, kind: str = "string", **options) -> Field:
    """A field integrations may write."""
    return Field(name, source, kind, createable=True, updateable=True, **options)


def _read(name: str, source: str | None, kind: str = "string", **options) -> Field:
    """A field integrations only read."""
    return Field(name, source, kind, **options)


def _common(sobject: str, *, name: Field | None = None) -> tuple[Field, ...]:
    """The fields every record type has: Id, Name, OwnerId, the audit dates and the external id."""
    fields = [
        _read(
            "Id", "pk", "id", nillable=False, reference_to=sobject, id_lookup=True, unique=True, label=f"{sobject} ID"
        ),
        _edit(
            "OwnerId", "owner_id", "reference", reference_to="User", relationship_name="Owner", defaulted_on_create=True
        ),
        _read("CreatedDate", "created_at", "datetime", nillable=False),
        _read("LastModifiedDate", "updated_at", "datetime", nillable=False),
        _edit("External_Id__c", "external_id", external_id=True, id_lookup=True, label="External ID"),
    ]
    if name is not None:
        fields.insert(1, name)
    return tuple(fields)


LEAD = SObject(
    name="Lead",
    label="Lead",
    label_plural="Leads",
    model=Lead,
    external_id_fields=("External_Id__c", "Email"),
    fields=(
        *_common(
            "Lead",
            name=_read("Name", None, nillable=False, expression=_full_name(), getter=lambda lead: lead.full_name),
        ),
        _edit("FirstName", "first_name"),
        _edit("LastName", "last_name", nillable=False),
        _edit("Company", "company"),
        _edit("Title", "title"),
        _edit("Email", "email", "email", id_lookup=True),
        _edit("Phone", "phone", "phone"),
        _edit("Website", "website", "url"),
        _edit("Industry", "industry"),
        _edit("NumberOfEmployees", "employees", "int"),
        _edit("AnnualRevenue", "annual_revenue", "currency"),
        _edit("Country", "country"),
        _edit("State", "state"),
        _edit("City", "city"),
        _edit("PostalCode", "postal_code"),
        _edit("Status", "status", "picklist", picklist=LEAD_STATUS, nillable=False, defaulted_on_create=True),
        _edit(
            "LeadSource",
            "source",
            "picklist",
            picklist=LEAD_SOURCE,
            aliases=LEAD_SOURCE_ALIASES,
            defaulted_on_create=True,
        ),
        _read("Rating", "rating", "picklist", picklist=RATING),
        _edit("Description", "description", "textarea"),
        _edit("HasOptedOutOfEmail", "do_not_contact", "boolean", nillable=False, defaulted_on_create=True),
        _read(
            "IsConverted",
            None,
            "boolean",
            nillable=False,
            expression=ExpressionWrapper(Q(status=Lead.Status.CONVERTED), output_field=BooleanField()),
            getter=lambda lead: lead.is_converted,
        ),
        _read("ConvertedDate", "converted_at", "date"),
        _read(
            "ConvertedAccountId",
            "converted_account_id",
            "reference",
            reference_to="Account",
            relationship_name="ConvertedAccount",
        ),
        _read(
            "ConvertedContactId",
            "converted_contact_id",
            "reference",
            reference_to="Contact",
            relationship_name="ConvertedContact",
        ),
        _read(
            "ConvertedOpportunityId",
            "converted_opportunity_id",
            "reference",
            reference_to="Opportunity",
            relationship_name="ConvertedOpportunity",
        ),
        _read("LastActivityDate", "last_activity_at", "date"),
        _read("Score__c", "score", "int", nillable=False, label="Score"),
    ),
)

ACCOUNT = SObject(
    name="Account",
    label="Account",
    label_plural="Accounts",
    model=Account,
    fields=(
        *_common("Account", name=_edit("Name", "name", nillable=False, label="Account Name")),
        _edit("Website", "website", "url"),
        _edit("Industry", "industry"),
        _edit("NumberOfEmployees", "employees", "int"),
        _edit("AnnualRevenue", "annual_revenue", "currency"),
        _edit("Phone", "phone", "phone"),
        _edit("BillingStreet", "billing_street", "textarea"),
        _edit("BillingCity", "billing_city"),
        _edit("BillingState", "billing_state"),
        _edit("BillingPostalCode", "billing_postal_code"),
        _edit("BillingCountry", "billing_country"),
        _edit("ParentId", "parent_id", "reference", reference_to="Account", relationship_name="Parent"),
        _edit("Description", "description", "textarea"),
        _read("IsPersonAccount", "is_person_account", "boolean", nillable=False),
    ),
)

CONTACT = SObject(
    name="Contact",
    label="Contact",
    label_plural="Contacts",
    model=Contact,
    fields=(
        *_common(
            "Contact",
            name=_read("Name", None, nillable=False, expression=_full_name(), getter=lambda contact: contact.full_name),
        ),
        _edit("FirstName", "first_name"),
        _edit("LastName", "last_name", nillable=False),
        _edit("Email", "email", "email"),
        _edit("Phone", "phone", "phone"),
        _edit("Title", "title"),
        _edit("Department", "department"),
        _edit("MailingStreet", "mailing_street", "textarea"),
        _edit("MailingCity", "mailing_city"),
        _edit("MailingState", "mailing_state"),
        _edit("MailingPostalCode", "mailing_postal_code"),
        _edit("MailingCountry", "mailing_country"),
        _edit("AccountId", "account_id", "reference", reference_to="Account", relationship_name="Account"),
        _edit("LeadSource", "lead_source", "picklist", picklist=LEAD_SOURCE, aliases=LEAD_SOURCE_ALIASES),
        _edit("HasOptedOutOfEmail", "do_not_contact", "boolean", nillable=False, defaulted_on_create=True),
        _edit("Description", "description", "textarea"),
    ),
)

OPPORTUNITY = SObject(
    name="Opportunity",
    label="Opportunity",
    label_plural="Opportunities",
    model=Opportunity,
    fields=(
        *_common("Opportunity", name=_edit("Name", "name", nillable=False, label="Opportunity Name")),
        _edit(
            "AccountId", "account_id", "reference", nillable=False, reference_to="Account", relationship_name="Account"
        ),
        _edit(
            "StageName",
            "stage__name",
            "picklist",
            nillable=False,
            defaulted_on_create=True,
            write_source="stage",
            parser=_parse_stage,
            picklist_source=_stage_picklist,
            label="Stage",
        ),
        _edit("Amount", "amount", "currency"),
        _edit("CloseDate", "close_date", "date"),
        _edit("Probability", "probability", "percent", defaulted_on_create=True, label="Probability (%)"),
        _read("IsClosed", "stage__is_closed", "boolean", nillable=False, label="Closed"),
        _read("IsWon", "stage__is_won", "boolean", nillable=False, label="Won"),
        _edit(
            "ForecastCategoryName",
            "forecast_category",
            "picklist",
            picklist=FORECAST_CATEGORY,
            nillable=False,
            defaulted_on_create=True,
            label="Forecast Category",
        ),
        _edit("LeadSource", "lead_source", "picklist", picklist=LEAD_SOURCE, aliases=LEAD_SOURCE_ALIASES),
        _edit("NextStep", "next_step"),
        _edit("Loss_Reason__c", "lost_reason", label="Loss Reason"),
        _edit("Description", "description", "textarea"),
    ),
)

USER = SObject(
    name="User",
    label="User",
    label_plural="Users",
    model=User,
    external_id_fields=(),
    fields=(
        _read("Id", "pk", "id", nillable=False, reference_to="User", id_lookup=True, unique=True, label="User ID"),
        _read("Username", "username", nillable=False, id_lookup=True, unique=True),
        _read(
            "Name",
            None,
            nillable=False,
            expression=Case(
                When(~Q(name=""), then=F("name")),
                When(~Q(first_name="") | ~Q(last_name=""), then=_full_name()),
                default=F("username"),
                output_field=CharField(),
            ),
            getter=lambda user: user.display_name,
        ),
        _read("FirstName", "first_name"),
        _read("LastName", "last_name"),
        _read("Email", "email", "email"),
        _read("IsActive", "is_active", "boolean", nillable=False, label="Active"),
        _read("Role__c", "role", "picklist", picklist=USER_ROLE, nillable=False, label="Role"),
        _read("TimeZoneSidKey", "time_zone", nillable=False, label="Time Zone"),
        _read("CreatedDate", "date_joined", "datetime", nillable=False),
        _read("LastLoginDate", "last_login", "datetime"),
    ),
)

SOBJECTS: dict[str, SObject] = {item.name: item for item in (LEAD, ACCOUNT, CONTACT, OPPORTUNITY, USER)}
_BY_FOLDED_NAME = {name.casefold(): item for name, item in SOBJECTS.items()}


def get_sobject(name: str) -> SObject:
    """The sObject named `name`, case-insensitively; raises INVALID_TYPE ("sObject type 'X' is not supported.")."""
    found = _BY_FOLDED_NAME.get(name.casefold()) if isinstance(name, str) else None
    if found is None:
        raise errors.invalid_type(str(name))
    return found


def sobject_for_model(model) -> SObject:
    """The sObject over `model` (a model class or instance)."""
    model = model if isinstance(model, type) else type(model)
    for item in SOBJECTS.values():
        if item.model is model:
            return item
    raise errors.invalid_type(model.__name__)
