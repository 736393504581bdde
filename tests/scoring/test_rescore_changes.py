"""Rescoring only the leads that changed writes exactly what rescoring every lead writes (SQLite and PostgreSQL)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.services import log_activity, record_event
from leads.models import Lead
from leads.services import capture
from scoring import rescoring, services
from scoring.models import ScoringRun
from scoring.rescoring import changed_lead_ids
from scoring.rules import ACTIVITY_ENGAGEMENT_KINDS, EVENT_ENGAGEMENT_KINDS
from tests.factories import LeadFactory
from tests.scoring.test_services_property import leads, make_lead

pytestmark = pytest.mark.django_db

EDITS = [
    {"title": "CEO"},
    {"title": "Analyst"},
    {"company": ""},
    {"phone": ""},
    {"employees": 5_000},
    {"employees": None},
    {"source": Lead.Source.REFERRAL},
    {"email": "someone@gmail.com"},
    {"do_not_contact": True},
]
changes = st.lists(
    st.tuples(
        st.integers(0, 5),
        st.one_of(
            st.sampled_from(EDITS).map(lambda data: ("edit", data)),
            st.sampled_from(EVENT_ENGAGEMENT_KINDS).map(lambda kind: ("event", kind)),
            st.sampled_from(ACTIVITY_ENGAGEMENT_KINDS).map(lambda kind: ("activity", kind)),
        ),
    ),
    max_size=6,
)


def snapshot(ids):
    return list(Lead.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "score", "rating", "grade", "mql_at"))


def apply_change(lead: Lead, what: str, detail, index: int) -> None:
    """Change a scoring input the way the product does: through the services."""
    if what == "edit":
        data = dict(detail)
        if "email" in data:
            data["email"] = f"changed{lead.pk}.{index}@gmail.com"
        capture.update_lead(lead, by=None, data=data)
    elif what == "event":
        record_event(detail, detail, lead=lead)
    else:
        log_activity(by=None, kind=detail, subject=detail, lead=lead)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lead_specs=leads, random_changes=changes, new_lead=st.booleans())
def test_rescoring_the_changed_leads_gives_what_a_full_rescore_gives(lead_specs, random_changes, new_lead):
    scored_at = timezone.now()
    clock = mock.patch("django.utils.timezone.now", return_value=scored_at)
    with transaction.atomic():
        created_at = scored_at - timedelta(hours=3)
        with mock.patch("django.utils.timezone.now", return_value=created_at):
            ids = [make_lead(index, spec, created_at).pk for index, spec in enumerate(lead_specs)]
        with clock:
            services.rescore_leads(chunk_size=2)
        # Later changes (an hour on); every rescore below uses the first rescore's clock, so decay moves no score.
        touched = set()
        with mock.patch("django.utils.timezone.now", return_value=scored_at + timedelta(hours=1)):
            for index, (position, (what, detail)) in enumerate(random_changes):
                lead = Lead.objects.get(pk=ids[position % len(ids)])
                apply_change(lead, what, detail, index)
                # An edit that sets what the lead already holds saves nothing: no input of its score changed.
                if what != "edit" or Lead.objects.filter(pk=lead.pk).exclude(updated_at=lead.updated_at).exists():
                    touched.add(lead.pk)
            if new_lead:
                lead = LeadFactory(title="CEO")
                Lead.objects.filter(pk=lead.pk).update(score=0, scored_at=None)
                ids.append(lead.pk)
                touched.add(lead.pk)
        previous = ScoringRun.objects.get()
        assert set(changed_lead_ids(previous.changes_from)) == touched

        with clock:
            run = rescoring.rescore_changed_leads()
        assert run is not None and run.changes_since == previous.changes_from
        assert run.status == ScoringRun.Status.DONE
        incremental = snapshot(ids)

        with clock:
            full = services.rescore_leads()
        assert full.leads_changed == 0 and full.leads_reached_mql == 0
        assert snapshot(ids) == incremental
        transaction.set_rollback(True)


def test_without_an_earlier_run_every_lead_is_rescored():
    leads = LeadFactory.create_batch(3, title="CEO")
    Lead.objects.filter(pk__in=[lead.pk for lead in leads]).update(score=0, scored_at=None)

    run = rescoring.rescore_changed_leads()

    assert run.changes_since is None and run.status == ScoringRun.Status.DONE
    assert not Lead.objects.filter(scored_at__isnull=True).exists()


def test_leads_nobody_changed_are_not_read_again():
    LeadFactory.create_batch(3, title="CEO")
    services.rescore_leads()
    later = timezone.now() + timedelta(hours=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        lead = Lead.objects.order_by("pk").first()
        capture.update_lead(lead, by=None, data={"title": "Analyst"})
        run = rescoring.rescore_changed_leads()

    assert run.leads_changed == 1
    lead.refresh_from_db()
    assert lead.score == services.explain_score(lead)["score"]


def test_a_changes_run_waits_for_a_running_full_run():
    ScoringRun.objects.create(started_at=timezone.now(), max_id=0)

    assert rescoring.rescore_changed_leads() is None


def test_a_crashed_changes_run_is_resumed_as_a_full_run(monkeypatch):
    leads = LeadFactory.create_batch(3, title="CEO")
    services.rescore_leads()
    later = timezone.now() + timedelta(hours=1)
    real_apply = services._apply_scores

    def crash(scoring, lead_filter):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(services, "_apply_scores", crash)
    with mock.patch("django.utils.timezone.now", return_value=later):
        capture.update_lead(leads[0], by=None, data={"title": "Analyst"})
        with pytest.raises(RuntimeError):
            rescoring.rescore_changed_leads()
    monkeypatch.setattr(services, "_apply_scores", real_apply)

    resumed = services.rescore_leads()
    assert resumed.changes_since is not None and resumed.status == ScoringRun.Status.DONE
    leads[0].refresh_from_db()
    assert leads[0].score == services.explain_score(leads[0])["score"]
