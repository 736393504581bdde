"""The form to log a note, call or meeting, or schedule a task, on any record."""

from __future__ import annotations

import re
from datetime import timedelta

from django import forms
from django.utils import timezone

from activities.models import Activity

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# How long before the due time each reminder choice fires; "custom" takes its own time.
REMINDER_OFFSETS = {
    "due": timedelta(0),
    "15m": timedelta(minutes=15),
    "1h": timedelta(hours=1),
    "1d": timedelta(days=1),
}
REMINDER_CHOICES = [
    ("", "No reminder"),
    ("due", "At the due time"),
    ("15m", "15 minutes before"),
    ("1h", "1 hour before"),
    ("1d", "1 day before"),
    ("custom", "At a time I choose"),
]
DURATION = re.compile(r"^\s*(\d{1,4})(?::([0-5]\d))?\s*$")


def parse_duration(text: str) -> int | None:
    """Seconds from "m:ss" or whole minutes ("4:30" → 270, "12" → 720); None for blank; ValueError otherwise."""
    if not text.strip():
        return None
    match = DURATION.match(text)
    if not match:
        raise ValueError(text)
    return int(match[1]) * 60 + int(match[2] or 0)


class ActivityForm(forms.Form):
    KINDS = [("note", "Note"), ("call", "Call"), ("meeting", "Meeting"), ("task", "Task")]

    kind = forms.ChoiceField(choices=KINDS, widget=forms.RadioSelect)
    subject = forms.CharField(max_length=255)
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Details")
    due_at = forms.DateTimeField(required=False, label="When", widget=DATETIME_WIDGET)
    remind = forms.ChoiceField(required=False, choices=REMINDER_CHOICES, label="Reminder")
    remind_at = forms.DateTimeField(required=False, label="Remind me at", widget=DATETIME_WIDGET)
    call_outcome = forms.ChoiceField(
        required=False, choices=[("", "—"), *Activity.CallOutcome.choices], label="Outcome"
    )
    duration = forms.CharField(
        required=False,
        max_length=10,
        label="Duration (m:ss or minutes)",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "4:30", "autocomplete": "off"}),
    )

    def clean_duration(self) -> int | None:
        try:
            return parse_duration(self.cleaned_data["duration"])
        except ValueError:
            raise forms.ValidationError("Enter minutes:seconds, like 4:30, or whole minutes.") from None

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == "task" and not data.get("due_at"):
            self.add_error("due_at", "A task needs a due date.")
        if kind == "task" and data.get("remind") == "custom" and not data.get("remind_at"):
            self.add_error("remind_at", "Choose when to be reminded.")
        return data

    def _remind_at(self):
        data = self.cleaned_data
        if data.get("remind") == "custom":
            return data["remind_at"]
        offset = REMINDER_OFFSETS.get(data.get("remind") or "")
        return data["due_at"] - offset if offset is not None and data.get("due_at") else None

    def service_kwargs(self) -> dict:
        """The keyword arguments for `activities.services.log_activity`."""
        data = self.cleaned_data
        kind = data["kind"]
        now = timezone.now()
        # Only tasks and meetings have a time of their own (a meeting's is when it takes place).
        due_at = data["due_at"] if kind in ("task", "meeting") else None
        is_call = kind == "call"
        return {
            "kind": kind,
            "subject": data["subject"],
            "body": data["body"],
            "due_at": due_at,
            # Calls and notes are logged after they happened, meetings once they took place; tasks stay open.
            "completed_at": None if kind == "task" or (due_at and due_at > now) else now,
            "remind_at": self._remind_at() if kind == "task" else None,
            "call_outcome": data["call_outcome"] if is_call else "",
            "duration_seconds": data["duration"] if is_call else None,
        }
