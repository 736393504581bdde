"""A small book of records that puts every kind of badge, table and form on screen, and the pages that show it.

Shared by the browser checks of the whole UI (test_accessibility.py, test_layout.py): each page is named, has a
path in the book, and names its primary action, the control a person came to the page for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from activities.services import log_activity, notify
from campaigns.services import create_campaign, tag_lead_with_campaign
from conversion.services import convert_lead
from imports.models import ImportJob
from leads.models import Lead
from nurture.services.enrollment import enroll_lead
from nurture.tokens import make_unsubscribe_token
from opportunities.models import OpportunityContactRole, Stage
from opportunities.services import create_opportunity, move_opportunity_stage
from tests.factories import PASSWORD, AccountFactory, ContactFactory, LeadFactory, SequenceFactory, StepFactory
from tests.scoring.conversion_models import active_model
from workspace.services import create_saved_view


@dataclass(frozen=True)
class Screen:
    name: str
    path: str
    primary: str  # a selector for the page's main action
    roles: frozenset[str] = frozenset({"rep", "manager", "admin"})


def build_book(rep, manager) -> dict[str, str]:
    """Give `rep` a lead of each status and rating, an account with open, won and lost deals, tasks and nurture."""
    now = timezone.now()
    working = LeadFactory(owner=rep, first_name="Ada", last_name="Lovelace", company="Analytical Engines")
    Lead.objects.filter(pk=working.pk).update(status="working", score=82, rating="hot", mql_at=now)
    nurturing = LeadFactory(owner=rep, first_name="Grace", last_name="Hopper", company="Navy Labs", title="CTO")
    Lead.objects.filter(pk=nurturing.pk).update(status="nurturing", score=55, rating="warm")
    LeadFactory(owner=rep, first_name="Alan", last_name="Turing", company="Bombe Ltd")
    qualified = LeadFactory(owner=rep, first_name="Katherine", last_name="Johnson", company="Orbit Co")
    Lead.objects.filter(pk=qualified.pk).update(status="qualified", qualified_at=now, score=30, rating="cold")
    unqualified = LeadFactory(owner=rep, first_name="Charles", last_name="Babbage", company="Engines Ltd")
    Lead.objects.filter(pk=unqualified.pk).update(status="unqualified", unqualified_reason="No budget")
    unsubscribed = LeadFactory(owner=rep, first_name="Hedy", last_name="Lamarr", company="Radio Ltd")
    Lead.objects.filter(pk=unsubscribed.pk).update(unsubscribed_at=now, do_not_contact=True)
    converted = LeadFactory(owner=rep, first_name="Margaret", last_name="Hamilton", company="Apollo Software")
    convert_lead(converted, by=rep, opportunity={"name": "Apollo guidance", "amount": Decimal("12000.00")})

    account = AccountFactory(owner=rep, name="Globex Corporation")
    contact = ContactFactory(owner=rep, account=account, first_name="Hank", last_name="Scorpio", title="CEO")
    ContactFactory(owner=rep, account=account)
    deal = create_opportunity(by=rep, account=account, name="Globex rollout", amount="25000.00")
    OpportunityContactRole.objects.create(opportunity=deal, contact=contact, role="Buyer", is_primary=True)
    create_opportunity(
        by=rep, account=account, name="Globex pilot", amount="4000.00", stage=Stage.objects.get(name="Qualification")
    )
    # A card in the last open column: the board scrolls to it, and nothing in it may widen the page.
    create_opportunity(
        by=rep, account=account, name="Globex renewal", amount="8000.00", stage=Stage.objects.get(name="Negotiation")
    )
    won = create_opportunity(by=rep, account=account, name="Globex licences", amount="9000.00")
    move_opportunity_stage(won, stage=Stage.objects.get(name="Closed Won"), by=rep)
    lost = create_opportunity(by=rep, account=account, name="Globex services", amount="3000.00")
    move_opportunity_stage(lost, stage=Stage.objects.get(name="Closed Lost"), by=rep, lost_reason="Price")

    log_activity(by=rep, kind="call", subject="Discovery call", body="Needs 40 seats.", lead=working)
    log_activity(by=rep, kind="task", subject="Send the proposal", due_at=now - timedelta(days=2), lead=working)
    log_activity(by=rep, kind="task", subject="Call back", due_at=now, opportunity=deal, account=account)
    # An upcoming task with a reminder, a scheduled meeting, a call with its outcome and an unread reminder.
    follow_up = log_activity(
        by=rep, kind="task", subject="Send the contract", due_at=now + timedelta(days=3), lead=working,
        remind_at=now + timedelta(days=3) - timedelta(hours=1),
    )  # fmt: skip
    log_activity(by=rep, kind="meeting", subject="Demo with Globex", due_at=now + timedelta(hours=2), account=account)
    log_activity(
        by=rep, kind="call", subject="Left a message", call_outcome="voicemail", duration_seconds=45, lead=working
    )
    notify(rep, kind="reminder", text="Reminder: Send the contract", url=follow_up.get_absolute_url())
    log_activity(by=rep, kind="note", subject="Met at the fair", account=account, contact=contact)
    sequence = SequenceFactory(name="Trial follow-up")
    StepFactory(sequence=sequence, order=1, delay_days=3, subject="Hello {{ first_name }}")
    enroll_lead(nurturing, sequence=sequence, by=rep)
    ImportJob.objects.create(
        created_by=manager,
        owner=rep,
        file="imports/leads.csv",
        original_name="leads.csv",
        status="done",
        rows_total=3,
        rows_done=3,
        created=2,
        updated=1,
    )
    create_saved_view(
        by=rep, list_key="leads", name="Hot leads", query="rating=hot&sort=-score&cols=company&cols=score"
    )
    campaign = create_campaign(by=manager, name="Spring webinar", type="webinar", actual_cost=Decimal("2500.00"))
    for member in (working, nurturing, converted):
        tag_lead_with_campaign(member.pk, campaign, status="attended", by=rep)
    # The predictive score: an active model with its quality, and a lead it predicted with three reasons.
    active_model(by=manager)
    Lead.objects.filter(pk=working.pk).update(
        conversion_probability=0.34,
        conversion_reasons=[
            {"feature": "source", "impact": 12.0, "text": "Source: Webinar +12 pts"},
            {"feature": "calls", "impact": 6.0, "text": "2 calls +6 pts"},
            {"feature": "email_domain", "impact": -4.0, "text": "Free email domain \u22124 pts"},
        ],
    )
    return {
        "lead": str(nurturing.pk),
        "hot_lead": str(working.pk),
        "converted_lead": str(converted.pk),
        "unsubscribed_lead": str(unsubscribed.pk),
        "account": str(account.pk),
        "contact": str(contact.pk),
        "deal": str(deal.pk),
        "lost_deal": str(lost.pk),
        "token": make_unsubscribe_token(working.pk),
        "campaign": str(campaign.pk),
    }


def screens(book: dict[str, str]) -> list[Screen]:
    """Return the signed-in pages of the app, with their paths in `book`."""
    managers = frozenset({"manager", "admin"})
    return [
        Screen("lead list", "/leads/?status=all", ".page-head a.primary"),
        Screen("lead list, every owner", "/leads/?owner=any&status=all", ".page-head a.primary", managers),
        Screen("lead detail", f"/leads/{book['lead']}/", ".head-actions a.primary"),
        Screen("hot lead detail", f"/leads/{book['hot_lead']}/", ".head-actions a.primary"),
        Screen("converted lead detail", f"/leads/{book['converted_lead']}/", "[role=note] a"),
        Screen("unsubscribed lead detail", f"/leads/{book['unsubscribed_lead']}/", ".head-actions a.primary"),
        Screen("lead board", "/leads/board/", ".lead-card summary"),
        Screen("new lead", "/leads/new/", "form button.primary"),
        Screen("lead edit", f"/leads/{book['lead']}/edit/", "form button.primary"),
        Screen("email a lead", f"/leads/{book['lead']}/email/", "form button.primary"),
        Screen("email refused", f"/leads/{book['unsubscribed_lead']}/email/", "[data-email-refused] a.button"),
        Screen("convert", f"/leads/{book['lead']}/convert/", "form.convert button.primary"),
        Screen(
            "lead list, sorted, chosen columns",
            "/leads/?status=all&sort=company&cols=company&cols=source&cols=score",
            ".page-head a.primary",
        ),
        Screen(
            "lead list, win chance column",
            "/leads/?status=all&sort=-conversion_probability&cols=company&cols=score&cols=conversion",
            ".page-head a.primary",
        ),
        Screen("saved views", "/views/", "form.inline-form button", frozenset({"rep"})),
        Screen("account list", "/accounts/", "form.filters button.primary"),
        Screen("account detail", f"/accounts/{book['account']}/", ".activity-form button.primary"),
        Screen("new account", "/accounts/new/", "form button.primary"),
        Screen("account edit", f"/accounts/{book['account']}/edit/", "form button.primary"),
        Screen("contact list", "/contacts/", "form.filters button.primary"),
        Screen("contact detail", f"/contacts/{book['contact']}/", ".head-actions a.button"),
        Screen("contact edit", f"/contacts/{book['contact']}/edit/", "form button.primary"),
        Screen("email a contact", f"/contacts/{book['contact']}/email/", "form button.primary"),
        Screen("new contact on an account", f"/contacts/new/?account={book['account']}", "form button.primary"),
        Screen("opportunity list", "/opportunities/?show=all", "form.filters button.primary"),
        Screen("opportunity detail", f"/opportunities/{book['deal']}/", ".close-deal button.success"),
        Screen(
            "new opportunity on an account", f"/opportunities/new/?account={book['account']}", "form button.primary"
        ),
        Screen("opportunity edit", f"/opportunities/{book['deal']}/edit/", "form button.primary"),
        Screen("lost opportunity detail", f"/opportunities/{book['lost_deal']}/", ".stage-path button"),
        Screen("pipeline board", "/opportunities/board/", ".deal .move button"),
        Screen("campaign list", "/campaigns/", "form.filters button.primary"),
        Screen("campaign detail", f"/campaigns/{book['campaign']}/", "form[aria-label='Attribution model'] button"),
        Screen("new campaign", "/campaigns/new/", "form button.primary", managers),
        Screen("campaign report", "/dashboard/campaigns/", "form.filters button.primary"),
        Screen("tasks", "/tasks/", ".page-head h1"),
        Screen("upcoming tasks", "/tasks/?tab=upcoming", ".task-tabs a[aria-current]"),
        Screen("calendar", "/calendar/", ".page-head a[rel=next]"),
        Screen("notifications", "/notifications/", ".page-head button"),
        Screen("search", "/search/?q=globex", "form.filters button.primary"),
        Screen("dashboard", "/dashboard/", ".filter-fields button.primary"),
        Screen("activity report", "/dashboard/activity/", ".filter-fields button.primary"),
        Screen("forecast", "/dashboard/forecast/?period=this_quarter", "form.filters button.primary"),
        Screen("speed to lead", "/dashboard/sla/", "form.filters button.primary"),
        Screen("quotas", "/dashboard/quotas/", "form[aria-label='Set a quota'] button.primary", managers),
        Screen("import upload", "/leads/import/", "form button.primary", managers),
        Screen("conversion model", "/scoring/model/", "[data-calibration] th", managers),
        Screen("webhooks", "/integrations/webhooks/", "main a.button.primary", frozenset({"admin"})),
        Screen("new webhook endpoint", "/integrations/webhooks/new/", "form button.primary", frozenset({"admin"})),
        Screen("password change", "/password/", "form button.primary"),
        Screen("two-factor sign-in", "/settings/two-factor/", "form button.primary"),
        Screen("unsubscribe", f"/unsubscribe/{book['token']}/", "main form button"),
        Screen("unsubscribe link not valid", "/unsubscribe/not-a-token/", "h1"),
        Screen("page not found", "/no-such-page/", ".card a.primary"),
    ]


def sign_in(page, live_server, username: str) -> None:
    """Sign in through the login form and wait for the home page."""
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
