"""The form to log a note, call or meeting, or schedule a task, on any record."""

from __future__ import annotations

from django import forms
from django.utils import timezone


class ActivityForm(forms.Form):
    KINDS = [("note", "Note"), ("call", "Call"), ("meeting", "Meeting"), ("task", "Task")]

    kind = forms.ChoiceField(choices=KINDS, widget=forms.RadioSelect)
    subject = forms.CharField(max_length=255)
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Details")
    due_at = forms.DateTimeField(
        required=False,
        label="Due",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == "task" and not data.get("due_at"):
            self.add_error("due_at", "A task needs a due date.")
        return data

    def service_kwargs(self) -> dict:
        """The keyword arguments for `activities.services.log_activity`."""
        data = self.cleaned_data
        is_task = data["kind"] == "task"
        return {
            "kind": data["kind"],
            "subject": data["subject"],
            "body": data["body"],
            "due_at": data["due_at"] if is_task else None,
            # Calls, meetings and notes are logged after they happened; only tasks stay open.
            "completed_at": None if is_task else timezone.now(),
        }
