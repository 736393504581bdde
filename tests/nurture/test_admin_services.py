"""Sequences and their steps in the admin: written through `nurture.services.sequences`, never directly."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse

from nurture.admin import SequenceAdmin
from nurture.exceptions import StepInUse
from nurture.models import Delivery, Enrollment, Sequence, Step
from nurture.services.enrollment import enroll_lead
from nurture.services.sending import send_due_steps
from nurture.services.sequences import update_sequence
from tests.admin_forms import change_form_data
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

STEPS = "steps"  # the inline formset's prefix (the related name)


def _steps(sequence: Sequence) -> list[tuple[int, str]]:
    return list(Step.objects.filter(sequence=sequence).order_by("order").values_list("order", "subject"))


def _new_step(data: dict, *, order: int, subject: str) -> dict:
    """Add one blank step form to the posted inline formset, as the "Add another" link does."""
    index = int(data[f"{STEPS}-TOTAL_FORMS"])
    data[f"{STEPS}-TOTAL_FORMS"] = str(index + 1)
    data.update(
        {
            f"{STEPS}-{index}-order": order,
            f"{STEPS}-{index}-delay_days": 0,
            f"{STEPS}-{index}-delay_hours": 0,
            f"{STEPS}-{index}-subject": subject,
            f"{STEPS}-{index}-body_text": "Hi {{ first_name }}",
            f"{STEPS}-{index}-body_html": "",
        }
    )
    return data


def test_a_sequence_added_in_the_admin_is_created_with_its_steps(client, admin):
    # given
    client.force_login(admin)
    url = reverse("admin:nurture_sequence_add")
    data = change_form_data(client, url, name="Onboarding", send_days="01234")

    # when
    response = client.post(url, _new_step(_new_step(data, order=1, subject="Hello"), order=2, subject="Tips"))

    # then
    assert response.status_code == 302
    sequence = Sequence.objects.get(name="Onboarding")
    assert _steps(sequence) == [(1, "Hello"), (2, "Tips")]
    assert "Added step" in LogEntry.objects.get(object_id=str(sequence.pk)).get_change_message()


def test_steps_are_changed_added_and_removed_through_the_service(client, admin, sequence):
    # given
    client.force_login(admin)
    url = reverse("admin:nurture_sequence_change", args=[sequence.pk])
    data = change_form_data(client, url, name="Welcome back")
    data[f"{STEPS}-0-subject"] = "Welcome aboard {{ first_name }}"
    data[f"{STEPS}-2-DELETE"] = "on"

    # when
    response = client.post(url, _new_step(data, order=4, subject="Last call"))

    # then
    assert response.status_code == 302
    sequence.refresh_from_db()
    assert sequence.name == "Welcome back"
    assert _steps(sequence) == [(1, "Welcome aboard {{ first_name }}"), (2, "Tips for {{ company }}"), (4, "Last call")]


def test_a_step_with_an_unknown_merge_field_is_refused_and_nothing_is_saved(client, admin, sequence):
    # given
    client.force_login(admin)
    url = reverse("admin:nurture_sequence_change", args=[sequence.pk])
    data = change_form_data(client, url, name="Renamed")

    # when
    response = client.post(url, _new_step(data, order=4, subject="Hi {{ password }}"))

    # then
    assert response.status_code == 200
    assert "Unknown merge field(s): password." in response.content.decode()
    sequence.refresh_from_db()
    assert sequence.name == "Welcome"
    assert len(_steps(sequence)) == 3


def test_a_sent_step_cannot_be_removed_and_nothing_is_saved(client, admin, sequence, rep):
    # given the first step was sent and the second is next; the page was read before
    client.force_login(admin)
    url = reverse("admin:nurture_sequence_change", args=[sequence.pk])
    data = change_form_data(client, url, name="Renamed")
    data[f"{STEPS}-1-DELETE"] = "on"
    enroll_lead(LeadFactory(owner=rep), sequence=sequence, by=rep)
    send_due_steps()
    assert Delivery.objects.count() == 1

    # when
    response = client.post(url, data)

    # then
    assert response.status_code == 200
    content = response.content.decode()
    assert "Deleting step" in content
    sequence.refresh_from_db()
    assert sequence.name == "Welcome"
    assert len(_steps(sequence)) == 3


def test_a_step_list_the_service_refuses_rolls_back_the_sequence_too(client, admin, sequence, monkeypatch):
    # given a step became in use between the form's checks and the save
    def refuse(sequence, *, by, data):
        if "steps" in data:
            raise StepInUse(field="steps")
        return update_sequence(sequence, by=by, data=data)

    monkeypatch.setattr("nurture.admin.update_sequence", refuse)
    client.force_login(admin)
    url = reverse("admin:nurture_sequence_change", args=[sequence.pk])
    data = change_form_data(client, url, name="Renamed")
    data[f"{STEPS}-2-DELETE"] = "on"

    # when
    response = client.post(url, data)

    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "A step that has been sent or is next for an enrollment cannot be removed."
    ]
    sequence.refresh_from_db()
    assert sequence.name == "Welcome"
    assert len(_steps(sequence)) == 3
    assert not LogEntry.objects.exists()


def test_a_rep_with_admin_permissions_is_refused_by_the_service_without_a_500(client, rep, sequence):
    # given a staff rep allowed by Django to edit sequences, but not by nurture's rules
    rep.is_staff = True
    rep.save(update_fields=["is_staff"])
    rep.user_permissions.add(*Permission.objects.filter(codename__in=["view_sequence", "change_sequence"]))
    client.force_login(rep)
    url = reverse("admin:nurture_sequence_change", args=[sequence.pk])

    # when
    response = client.post(url, change_form_data(client, url, name="Mine now"))

    # then
    assert response.status_code == 200
    assert "Only managers and admins configure nurture." in str(response.context["adminform"].form.errors)
    sequence.refresh_from_db()
    assert sequence.name == "Welcome"


def test_a_sequence_in_use_cannot_be_deleted(client, admin, sequence, rep):
    # given
    enroll_lead(LeadFactory(owner=rep), sequence=sequence, by=rep)
    client.force_login(admin)

    # when
    response = client.post(reverse("admin:nurture_sequence_delete", args=[sequence.pk]), {"post": "yes"})

    # then
    assert response.status_code == 200
    assert "Cannot delete sequence" in response.content.decode()
    assert Sequence.objects.filter(pk=sequence.pk).exists()


def test_a_sequence_that_got_enrollments_meanwhile_is_kept_with_a_message(client, admin, sequence, rep, monkeypatch):
    # given the confirmation page was built before the first enrollment
    monkeypatch.setattr(SequenceAdmin, "get_deleted_objects", lambda self, objs, request: ([], {}, set(), []))
    enroll_lead(LeadFactory(owner=rep), sequence=sequence, by=rep)
    client.force_login(admin)

    # when
    response = client.post(reverse("admin:nurture_sequence_delete", args=[sequence.pk]), {"post": "yes"}, follow=True)

    # then
    assert response.status_code == 200
    assert "Sequence “Welcome” was not deleted: A sequence with enrollments cannot be deleted" in (
        response.content.decode()
    )
    assert Sequence.objects.filter(pk=sequence.pk).exists()
    assert Step.objects.filter(sequence=sequence).count() == 3
    assert not LogEntry.objects.exists()


def test_an_unused_sequence_is_deleted_with_its_steps(client, admin, sequence):
    # given
    client.force_login(admin)

    # when
    response = client.post(reverse("admin:nurture_sequence_delete", args=[sequence.pk]), {"post": "yes"})

    # then
    assert response.status_code == 302
    assert not Sequence.objects.filter(pk=sequence.pk).exists()
    assert not Step.objects.filter(sequence_id=sequence.pk).exists()


def test_enrollments_and_deliveries_are_read_only_and_stopped_through_the_service(client, admin, sequence, rep):
    # given
    enrollment = enroll_lead(LeadFactory(owner=rep), sequence=sequence, by=rep)
    send_due_steps()
    delivery = Delivery.objects.get()
    client.force_login(admin)

    # when
    edit = client.post(reverse("admin:nurture_enrollment_change", args=[enrollment.pk]), {"status": "completed"})
    delete_delivery = client.post(reverse("admin:nurture_delivery_delete", args=[delivery.pk]), {"post": "yes"})
    stop = client.post(
        reverse("admin:nurture_enrollment_changelist"),
        {"action": "stop_selected", "_selected_action": [enrollment.pk]},
        follow=True,
    )

    # then
    assert (edit.status_code, delete_delivery.status_code) == (403, 403)
    assert "Stopped 1 enrollment(s)." in stop.content.decode()
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.stop_reason) == (Enrollment.Status.STOPPED, "manual")
    assert Delivery.objects.filter(pk=delivery.pk).exists()
