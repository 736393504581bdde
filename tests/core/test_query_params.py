"""Lists accept the query parameters they document and refuse the rest (core/query_params.py, docs/api.md)."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core.query_params import list_allowed_query_params
from crm.api_urls import router
from tests.factories import AccountFactory, ContactFactory, LeadFactory, SequenceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]

LIST_PREFIXES = sorted({prefix for prefix, viewset, _ in router.registry if hasattr(viewset, "list")})


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_a_typoed_lead_filter_is_a_400_naming_the_allowed_parameters(rep, other_rep, api):
    # given a working lead for each rep
    LeadFactory(owner=rep, status="working")
    LeadFactory(owner=other_rep, status="working")

    for user in (rep, other_rep):
        # when either asks with a typo
        response = api(user).get("/api/v1/leads/?statsu=working")

        # then neither gets the whole list back, and the message is the same whatever the caller sees
        assert response.status_code == 400
        [message] = response.json()["statsu"]
        assert message.startswith("Unknown query parameter. Allowed: cursor, page_size, search, ordering, status, ")
        for name in ("owner", "source", "score__gte", "created_at__lte", "unassigned", "format"):
            assert name in message
        assert set(response.json()) == {"statsu"}


def test_every_unknown_parameter_is_named_at_once(rep, api):
    response = api(rep).get("/api/v1/leads/?statsu=working&ownr=1&status=working")

    assert response.status_code == 400
    assert set(response.json()) == {"statsu", "ownr"}


def test_parameter_names_are_case_sensitive(rep, api):
    assert api(rep).get("/api/v1/leads/?Status=working").status_code == 400


@pytest.mark.parametrize("ordering", ["scroe", "-scroe", "score,-bogus", "id", "owner__username", "--score", "-"])
def test_an_unknown_lead_ordering_is_a_400_naming_the_sortable_fields(rep, ordering, api):
    LeadFactory(owner=rep)

    response = api(rep).get("/api/v1/leads/", {"ordering": ordering})

    assert response.status_code == 400, response.content
    [message] = response.json()["ordering"]
    assert message.startswith("Unknown ordering field: ")
    assert "Allowed: created_at, updated_at, score, grade, last_name, first_name, company, email, status" in message


def test_known_lead_filters_search_ordering_and_paging_still_work_for_each_rep(rep, other_rep, api):
    # given two reps with leads of the same status and company
    low = LeadFactory(owner=rep, status="working", company="Initech", score=10)
    high = LeadFactory(owner=rep, status="working", company="Initech", score=90)
    LeadFactory(owner=rep, status="new", company="Initech")
    theirs = LeadFactory(owner=other_rep, status="working", company="Initech", score=50)
    query = "/api/v1/leads/?status=working&search=initech&ordering=-score&page_size=1&format=json"

    # when each follows the pages of the same query
    first = api(rep).get(query)
    second = api(rep).get(first.json()["next"])

    # then each sees only their own matching leads, in the asked order
    assert _ids(first) == [high.pk]
    assert _ids(second) == [low.pk]
    assert second.json()["next"] is None
    assert _ids(api(other_rep).get(query)) == [theirs.pk]


@pytest.mark.parametrize("query", ["ordering=", "ordering=score,", "ordering=%20-score%20", "page_size=", "search="])
def test_blank_or_padded_known_parameters_are_accepted(rep, query, api):
    LeadFactory(owner=rep)

    assert len(_ids(api(rep).get(f"/api/v1/leads/?{query}"))) == 1


def test_a_typoed_account_filter_is_a_400_and_the_known_one_filters_per_rep(rep, other_rep, api):
    mine = AccountFactory(owner=rep, industry="Retail")
    AccountFactory(owner=rep, industry="Energy")
    theirs = AccountFactory(owner=other_rep, industry="Retail")

    typo = api(rep).get("/api/v1/accounts/?industy=retail")
    assert typo.status_code == 400
    assert typo.json()["industy"][0].startswith(
        "Unknown query parameter. Allowed: cursor, page_size, search, ordering,"
    )
    assert "industry" in typo.json()["industy"][0]
    assert _ids(api(rep).get("/api/v1/accounts/?industry=retail&ordering=name")) == [mine.pk]
    assert _ids(api(other_rep).get("/api/v1/accounts/?industry=retail")) == [theirs.pk]


def test_contacts_refuse_an_unknown_ordering_and_sort_by_a_known_one(rep, other_rep, api):
    account = AccountFactory(owner=rep)
    zed = ContactFactory(owner=rep, account=account, last_name="Zed")
    abe = ContactFactory(owner=rep, account=account, last_name="Abe")
    ContactFactory(owner=other_rep, last_name="Moe")

    refused = api(rep).get("/api/v1/contacts/?ordering=surname")
    assert refused.status_code == 400
    assert "Allowed: created_at, updated_at, last_name, first_name, email" in refused.json()["ordering"][0]
    assert _ids(api(rep).get("/api/v1/contacts/?ordering=last_name")) == [abe.pk, zed.pk]
    assert _ids(api(rep).get("/api/v1/contacts/?ordering=-last_name&account=" + str(account.pk))) == [zed.pk, abe.pk]
    # an account the other rep can't see is not a choice of theirs: a 400 on the known filter, not their list
    hidden = api(other_rep).get("/api/v1/contacts/?account=" + str(account.pk))
    assert hidden.status_code == 400
    assert set(hidden.json()) == {"account"}


def test_sequences_a_plain_viewset_refuse_a_typo_and_accept_their_filters(manager, api):
    active = SequenceFactory(active=True)
    inactive = SequenceFactory(active=False)

    assert api(manager).get("/api/v1/sequences/?activ=true").status_code == 400
    assert api(manager).get("/api/v1/sequences/?ordering=steps").status_code == 400
    ids = _ids(api(manager).get("/api/v1/sequences/?active=true&ordering=name"))
    assert active.pk in ids
    assert inactive.pk not in ids


def test_a_list_without_search_fields_refuses_search(admin, api):
    # imports/ names no search fields: `search` would be silently ignored, so it is unknown there
    response = api(admin).get("/api/v1/imports/?search=leads")

    assert response.status_code == 400
    assert response.json()["search"] == [
        "Unknown query parameter. Allowed: cursor, page_size, ordering, status, format."
    ]


@pytest.mark.parametrize("prefix", LIST_PREFIXES)
def test_every_list_endpoint_refuses_an_unknown_parameter_and_accepts_the_paging_ones(admin, prefix, api):
    client = api(admin)

    refused = client.get(f"/api/v1/{prefix}/?no_such_filter=1")
    accepted = client.get(f"/api/v1/{prefix}/?page_size=5&format=json")

    assert refused.status_code == 400, refused.content
    assert refused.json()["no_such_filter"][0].startswith("Unknown query parameter. Allowed: cursor, page_size")
    assert accepted.status_code == 200, accepted.content


def test_the_check_comes_after_authentication(api):
    assert api().get("/api/v1/leads/?statsu=working").status_code == 401


def test_a_record_ignores_its_query_string_and_stays_hidden_from_the_other_rep(rep, other_rep, api):
    lead = LeadFactory(owner=rep, status="new")
    url = f"/api/v1/leads/{lead.pk}/?statsu=x&status=working&ordering=bogus"

    assert api(rep).get(url).status_code == 200
    assert api(rep).patch(url, {"city": "Oslo"}).json()["city"] == "Oslo"
    assert api(rep).get(f"/api/v1/leads/{lead.pk}/score/?x=1").status_code == 200
    assert api(other_rep).get(url).status_code == 404


def test_a_refused_list_reads_no_table(rep, api, django_assert_max_num_queries):
    LeadFactory.create_batch(3, owner=rep)
    client = api(rep)

    with django_assert_max_num_queries(0):
        assert client.get("/api/v1/leads/?statsu=working").status_code == 400


def _documented_query_params(schema, prefix) -> set[str]:
    operation = schema["paths"][f"/api/v1/{prefix}/"]["get"]
    return {parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "query"}


def test_every_list_accepts_exactly_the_query_parameters_its_schema_documents(admin):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    viewsets = {prefix: viewset for prefix, viewset, _ in router.registry if hasattr(viewset, "list")}

    for prefix, viewset in viewsets.items():
        request = Request(APIRequestFactory().get(f"/api/v1/{prefix}/"))
        request.user = admin
        view = viewset(action="list", request=request, format_kwarg=None, args=(), kwargs={})
        allowed = set(list_allowed_query_params(view, request, view.get_queryset()))

        assert allowed - {"format"} == _documented_query_params(schema, prefix), prefix
        assert "400" in schema["paths"][f"/api/v1/{prefix}/"]["get"]["responses"], prefix


def test_the_funnel_report_refuses_a_typoed_filter_for_every_role(rep, manager, api):
    for user in (rep, manager):
        typo = api(user).get("/api/v1/reports/funnel/?sorce=webinar")
        known = api(user).get("/api/v1/reports/funnel/?source=webinar&preset=last_30&format=json")

        assert typo.status_code == 400
        assert typo.json() == {
            "sorce": [
                "Unknown query parameter. Allowed: created_after, created_before, preset, team, owner, source, format."
            ]
        }
        assert known.status_code == 200, known.content
