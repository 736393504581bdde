"""The record lists a rep shapes (core.lists): the count, sorting by a column header, choosing columns."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, models
from django.db.models import F
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from accounts.views import AccountListView
from contacts.models import Contact
from contacts.views import ContactListView
from core.lists import RecordCount, count_records, shape_list, sort_options
from leads.models import Lead
from leads.views import LeadListView
from opportunities.models import Opportunity
from opportunities.views import OpportunityListView
from tests.factories import AccountFactory, ContactFactory, LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

LISTS = {
    "leads:list": (LeadListView, Lead),
    "accounts:list": (AccountListView, Account),
    "contacts:list": (ContactListView, Contact),
    "opportunities:list": (OpportunityListView, Opportunity),
}
ROWS = 7
PAGE = 3


def _make(model, rep, n: int) -> list:
    if model is Lead:
        return [LeadFactory(owner=rep) for _ in range(n)]
    if model is Account:
        return [AccountFactory(owner=rep) for _ in range(n)]
    account = AccountFactory(owner=rep)
    if model is Contact:
        return [ContactFactory(owner=rep, account=account) for _ in range(n)]
    return [OpportunityFactory(owner=rep, account=account) for _ in range(n)]


def _values(model, name: str) -> list:
    """Values with ties, blanks and (where allowed) nulls: what a keyset pager trips over."""
    field = model._meta.get_field(name)
    now = timezone.now().replace(microsecond=0)
    if field.choices:
        choices = [value for value, _ in field.choices]
        if model is Lead and name == "status":
            choices = ["new", "working", "nurturing"]  # the list shows open leads
        values = [choices[i % min(3, len(choices))] for i in range(ROWS)]
    elif isinstance(field, models.DateTimeField):
        values = [now, now, now - timedelta(days=1), now + timedelta(hours=1), now, now - timedelta(days=3), now]
    elif isinstance(field, models.DateField):
        values = [date(2027, 1, 5), date(2027, 1, 5), date(2026, 3, 1)] + [date(2027, 1, 5)] * 4
    elif isinstance(field, models.EmailField):
        # Open leads' emails are unique: ties only among the blanks.
        values = ["", "beta@x.example", "alpha@x.example", "", "zed~1@x.example", "", "Beta2@x.example"]
    elif isinstance(field, models.DecimalField):
        values = [Decimal("10.00"), Decimal("10.00"), Decimal("5.50")] + [Decimal("99.00")] * 4
    elif isinstance(field, models.IntegerField):
        values = [5, 5, 0, 70, 5, 30, 0]
    elif isinstance(field, models.FloatField):
        values = [0.25, 0.25, 0.0, 0.9, 0.25, 0.125, 0.0]
    else:
        values = ["", "Beta", "alpha", "Beta", "Zed~1", "", "beta"]
    if field.null:
        values[1] = values[4] = None
    return values


def _walk(client, path: str, query: dict) -> tuple[list[int], list[list[int]]]:
    """Follow "Next" from the first page to the last; return the ids in order and the pages."""
    response = client.get(path, query)
    pages = [[record.pk for record in response.context["records"]]]
    while response.context["next_link"]:
        response = client.get(path + response.context["next_link"])
        pages.append([record.pk for record in response.context["records"]])
    back = [[record.pk for record in response.context["records"]]]
    while response.context["previous_link"]:
        response = client.get(path + response.context["previous_link"])
        back.append([record.pk for record in response.context["records"]])
    assert back == list(reversed(pages)), "Previous walks back over the same pages"
    return [pk for page in pages for pk in page], pages


@pytest.mark.parametrize("name", list(LISTS))
def test_each_sortable_column_pages_through_every_record_once_in_order(client, rep, monkeypatch, name):
    view, model = LISTS[name]
    monkeypatch.setattr(view, "page_size", PAGE)
    records = _make(model, rep, ROWS)
    ids = [record.pk for record in records]
    client.force_login(rep)
    for option in sorted(sort_options(model, view.columns)):
        field = option.lstrip("-")
        for pk, value in zip(ids, _values(model, field), strict=True):
            model.objects.filter(pk=pk).update(**{field: value})
        descending = option.startswith("-")
        nulls = {"nulls_last": True} if model._meta.get_field(field).null else {}
        order = F(field).desc(**nulls) if descending else F(field).asc(**nulls)
        expected = list(
            model.objects.filter(pk__in=ids).order_by(order, "-id" if descending else "id").values_list("pk", flat=True)
        )

        seen, pages = _walk(client, reverse(name), {"sort": option, "status": "all", "show": "all"})

        assert seen == expected, option
        assert len(pages) == -(-ROWS // PAGE), option


@pytest.mark.parametrize("name", list(LISTS))
def test_a_header_click_sorts_and_the_next_click_reverses(client, rep, name):
    view, model = LISTS[name]
    _make(model, rep, 2)
    client.force_login(rep)
    column = next(column for column in view.columns if column.sort == "created_at" or column.key == "name")
    response = client.get(reverse(name), {"sort": column.sort})
    head = next(col for col in response.context["shape"].columns if col.key == column.key)
    assert head.aria_sort == "ascending"
    assert f"sort=-{column.sort}" in head.sort_link
    html = response.content.decode()
    assert 'aria-sort="ascending"' in html
    response = client.get(reverse(name) + head.sort_link)
    assert response.context["shape"].sort == f"-{column.sort}"
    assert 'aria-sort="descending"' in response.content.decode()


def test_an_unknown_sort_is_ignored_and_the_list_keeps_its_default_order(client, rep):
    older, newer = LeadFactory(owner=rep), LeadFactory(owner=rep)
    Lead.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=1))
    client.force_login(rep)
    for sort in ["password", "-owner__password", "owner", "description", "-"]:
        response = client.get(reverse("leads:list"), {"sort": sort})
        assert response.status_code == 200, sort
        assert [lead.pk for lead in response.context["leads"]] == [newer.pk, older.pk], sort
        assert response.context["shape"].sort_param == ""


def test_sort_links_keep_the_filters_and_columns_and_drop_the_page_cursor(rep):
    query = QueryDict("status=working&cols=company,score&after=x~1&sort=-score")
    shape = shape_list(query, model=Lead, columns=LeadListView.columns, default_sort="-created_at")
    company = next(col for col in shape.columns if col.key == "company")
    link = QueryDict(company.sort_link.lstrip("?"))
    assert link["status"] == "working" and link["cols"] == "company,score" and link["sort"] == "company"
    assert "after" not in link
    score = next(col for col in shape.columns if col.key == "score")
    assert score.aria_sort == "descending" and QueryDict(score.sort_link[1:])["sort"] == "score"


def test_chosen_columns_are_shown_in_order_and_unknown_names_are_ignored(client, rep):
    LeadFactory(owner=rep, company="Initech", title="CTO", email="pat@initech.example")
    client.force_login(rep)
    response = client.get(reverse("leads:list"), {"cols": "title,bogus", "sort": "title"})
    keys = [col.key for col in response.context["shape"].columns]
    assert keys == ["select", "name", "title"]
    html = response.content.decode()
    assert "CTO" in html and "pat@initech.example" not in html
    # Repeated parameters (the column chooser's checkboxes) work as well as a comma list.
    response = client.get(reverse("leads:list"), {"cols": ["company", "email", "nope"]})
    assert [col.key for col in response.context["shape"].columns] == ["select", "name", "company", "email"]


def test_without_cols_the_default_columns_show_and_the_chooser_lists_every_column(client, rep):
    client.force_login(rep)
    response = client.get(reverse("accounts:list"))
    shape = response.context["shape"]
    assert [col.key for col in shape.columns] == [c.key for c in AccountListView.columns if c.default]
    html = response.content.decode()
    for column in AccountListView.columns:
        assert f'name="cols" value="{column.key}"' in html
    assert "<summary>Columns</summary>" in html


def test_the_filter_form_keeps_the_sort_and_the_columns(client, rep):
    client.force_login(rep)
    html = client.get(reverse("contacts:list"), {"sort": "-title", "cols": "title", "after": "x~1"}).content.decode()
    start = html.index('<form method="get" class="filters')
    form = html[start : html.index("</form>", start)]
    assert '<input type="hidden" name="sort" value="-title">' in form
    assert '<input type="hidden" name="cols" value="title">' in form
    assert "after" not in form


@pytest.mark.parametrize("name", list(LISTS))
def test_every_list_shows_its_exact_count_below_the_limit(client, rep, other_rep, name):
    _, model = LISTS[name]
    _make(model, rep, 3)
    _make(model, other_rep, 2)
    client.force_login(rep)
    response = client.get(reverse(name))
    count = response.context["record_count"]
    assert (count.value, count.exact) == (3, True)
    assert f"3 {model._meta.verbose_name_plural}" in response.content.decode()


def test_the_count_follows_the_filters(client, rep):
    LeadFactory(owner=rep, company="Initech")
    LeadFactory(owner=rep, company="Globex")
    client.force_login(rep)
    response = client.get(reverse("leads:list"), {"q": "Initech"})
    assert str(response.context["record_count"]) == "1"
    assert "1 lead</p>" in response.content.decode()


def test_past_the_limit_the_count_is_not_exact(client, rep, settings):
    settings.FUNNEL_LIST_EXACT_COUNT_LIMIT = 4
    _make(Account, rep, 6)
    client.force_login(rep)
    count = client.get(reverse("accounts:list")).context["record_count"]
    assert not count.exact
    if connection.vendor == "sqlite":
        assert str(count) == "4+"


@pytest.mark.postgres
def test_on_postgresql_a_large_list_shows_the_planners_estimate_as_about(client, rep, settings):
    settings.FUNNEL_LIST_EXACT_COUNT_LIMIT = 20
    _make(Account, rep, 60)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_account")
    client.force_login(rep)
    response = client.get(reverse("accounts:list"))
    count = response.context["record_count"]
    assert not count.exact and not count.at_least and count.value >= 20
    assert f"{count} accounts" in response.content.decode()
    assert str(count).startswith("about ")


@pytest.mark.postgres
def test_on_postgresql_a_small_filtered_list_is_counted_exactly(rep, settings):
    settings.FUNNEL_LIST_EXACT_COUNT_LIMIT = 20
    _make(Account, rep, 30)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_account")
    count = count_records(Account.objects.filter(pk__in=list(Account.objects.values_list("pk", flat=True)[:3])))
    assert (count.value, count.exact) == (3, True)


def test_counts_read_as_a_rep_expects():
    assert str(RecordCount(9_999, exact=True)) == "9,999"
    assert str(RecordCount(10_000, exact=False, at_least=True)) == "10,000+"
    assert str(RecordCount(1_234_567, exact=False)) == "about 1,200,000"
    assert str(RecordCount(53, exact=False)) == "about 53"


@pytest.mark.parametrize("name", list(LISTS))
def test_a_shaped_list_costs_the_same_queries_at_any_size(client, rep, django_assert_max_num_queries, name):
    _, model = LISTS[name]
    client.force_login(rep)
    view, _ = LISTS[name]
    sortable = next(column for column in view.columns if column.sort and not column.fixed)
    every = ",".join(column.key for column in view.columns)
    query = {"sort": f"-{sortable.sort}", "cols": every, "status": "all", "show": "all"}
    _make(model, rep, 2)
    with django_assert_max_num_queries(10) as small:
        assert client.get(reverse(name), query).status_code == 200
    _make(model, rep, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse(name), query).status_code == 200


@pytest.mark.postgres
def test_on_postgresql_a_list_the_planner_guesses_large_is_still_counted_exactly(rep, settings):
    settings.FUNNEL_LIST_EXACT_COUNT_LIMIT = 20
    _make(Account, rep, 60)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_account")
    Account.objects.filter(pk__in=list(Account.objects.order_by("pk").values_list("pk", flat=True)[5:])).delete()
    # the statistics still say 60 rows
    count = count_records(Account.objects.all())
    assert (count.value, count.exact) == (5, True)
