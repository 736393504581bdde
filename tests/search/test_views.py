"""The search page and the header's search box."""

from __future__ import annotations

import pytest

from tests.factories import AccountFactory, LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def test_the_page_lists_matches_of_every_type_with_links_and_badges(client, rep):
    lead = LeadFactory(owner=rep, first_name="Ada", last_name="Lovelace", company="Globex Engines")
    account = AccountFactory(owner=rep, name="Globex Corporation")
    deal = OpportunityFactory(owner=rep, account=account, name="Rollout")
    client.force_login(rep)

    response = client.get("/search/", {"q": "lobex"})

    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="/leads/{lead.pk}/"' in page
    assert f'href="/accounts/{account.pk}/"' in page
    assert f'href="/opportunities/{deal.pk}/"' in page
    assert '<span class="badge">Opportunity</span>' in page
    assert "3 results" in page


def test_types_narrow_the_page(client, rep):
    LeadFactory(owner=rep, last_name="Globex")
    account = AccountFactory(owner=rep, name="Globex Corporation")
    client.force_login(rep)

    page = client.get("/search/", {"q": "globex", "types": "account"}).content.decode()

    assert f'href="/accounts/{account.pk}/"' in page
    assert "/leads/" not in page.split("<tbody>")[1]


def test_a_second_rep_never_sees_my_records_on_the_page(client, rep, other_rep):
    lead = LeadFactory(owner=rep, last_name="Lovelace", company="Globex")
    client.force_login(other_rep)

    page = client.get("/search/", {"q": "globex"}).content.decode()

    assert f"/leads/{lead.pk}/" not in page
    assert "Nothing found" in page


@pytest.mark.parametrize(
    ("params", "message"),
    [({"q": "a"}, "Enter at least 2 characters."), ({"q": "acme", "types": "widget"}, "Unknown type: widget.")],
)
def test_bad_parameters_show_the_problem_without_results(client, rep, params, message):
    client.force_login(rep)

    response = client.get("/search/", params)

    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_page_without_a_query_shows_the_form(client, rep):
    client.force_login(rep)

    page = client.get("/search/").content.decode()

    assert 'name="q"' in page and "Type at least two letters" in page


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/search/", {"q": "acme"})

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_every_page_has_the_header_search_box(client, rep):
    client.force_login(rep)

    for path in ["/leads/", "/accounts/", "/dashboard/"]:
        page = client.get(path).content.decode()
        assert 'id="site-search"' in page and 'action="/search/"' in page, path


def test_the_page_costs_a_fixed_number_of_queries(client, rep, django_assert_max_num_queries):
    for n in range(15):
        LeadFactory(owner=rep, last_name=f"Globex{n}")
        AccountFactory(owner=rep, name=f"Globex {n}")
    client.force_login(rep)

    with django_assert_max_num_queries(10):
        response = client.get("/search/", {"q": "globex"})

    assert response.content.decode().count('<span class="badge">') == 30
