"""Nurture in the admin: sequences with inline steps, and the bulk "enroll" action on the lead list."""

from nurture.models import Enrollment
from tests.factories import LeadFactory, UserFactory


def test_the_lead_list_action_enrols_the_selected_leads_and_skips_those_that_cannot_be_nurtured(client, sequence):
    admin_user = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    ok, blocked = LeadFactory(), LeadFactory(do_not_contact=True)
    selection = {"action": "enroll_in_sequence", "_selected_action": [ok.pk, blocked.pk]}

    asked = client.post("/admin/leads/lead/", selection)
    assert asked.status_code == 200 and sequence.name in asked.content.decode()

    done = client.post("/admin/leads/lead/", {**selection, "apply": "1", "sequence": sequence.pk}, follow=True)

    assert done.status_code == 200
    assert list(Enrollment.objects.values_list("lead_id", flat=True)) == [ok.pk]
    assert "Skipped 1 lead" in done.content.decode()


def test_the_nurture_admin_pages_open(client, sequence, rep):
    from nurture.services.enrollment import enroll_lead
    from nurture.services.sending import send_due_steps

    enrollment = enroll_lead(LeadFactory(owner=rep), sequence=sequence, by=rep)
    send_due_steps()
    client.force_login(UserFactory(username="root", role="admin", is_staff=True, is_superuser=True))

    for url in [
        f"/admin/nurture/sequence/{sequence.pk}/change/",
        "/admin/nurture/enrollment/",
        f"/admin/nurture/enrollment/{enrollment.pk}/change/",
        "/admin/nurture/delivery/",
    ]:
        assert client.get(url).status_code == 200, url
