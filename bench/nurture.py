"""Nurture send throughput: 10,000 due steps through claim → send → mark, on the configured database.

Run against PostgreSQL (your own database):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/funnel_nurture .venv/bin/python bench/nurture.py
Email goes to Django's locmem backend, so this measures the database work and rendering, not SMTP.
The bench creates its own sequence and leads and deletes them afterwards.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.urls import get_resolver  # noqa: E402
from django.utils import timezone  # noqa: E402

from activities.models import Event  # noqa: E402
from leads.models import Lead  # noqa: E402
from nurture.models import Delivery, Enrollment, Sequence, Step  # noqa: E402
from nurture.services.sending import send_due_steps  # noqa: E402

DUE = int(os.environ.get("BENCH_NURTURE_DUE", 10_000))
BATCHES = [int(n) for n in os.environ.get("BENCH_NURTURE_BATCHES", "100,25,500").split(",")]
PREFIX = "bench-nurture-"


def _clean() -> None:
    sequences = Sequence.objects.filter(name__startswith=PREFIX)
    leads = Lead.objects.filter(email__startswith=PREFIX)
    Event.objects.filter(lead__in=leads).delete()
    Delivery.objects.filter(enrollment__sequence__in=sequences).delete()
    Enrollment.objects.filter(sequence__in=sequences).delete()
    leads.delete()
    sequences.delete()


def _prepare(batch_size: int, due: int | None = None) -> None:
    due_count = DUE if due is None else due
    sequence = Sequence.objects.create(
        name=f"{PREFIX}{batch_size}", send_days="0123456", send_start_hour=0, send_end_hour=24
    )
    step = Step.objects.create(
        sequence=sequence, order=1, subject="Hi {{ first_name }}", body_text="Hello {{ first_name }} at {{ company }}"
    )
    leads = Lead.objects.bulk_create(
        (Lead(first_name=f"L{n}", last_name="Bench", company="Bench Co", email=f"{PREFIX}{n}@example.test")
         for n in range(due_count)),
        batch_size=2000,
    )  # fmt: skip
    due = timezone.now() - timedelta(minutes=1)
    Enrollment.objects.bulk_create(
        (Enrollment(lead=lead, sequence=sequence, current_step=step, next_send_at=due) for lead in leads),
        batch_size=2000,
    )


def measure_batch(batch_size: int) -> float:
    _clean()
    _prepare(batch_size)
    mail.outbox = []
    started = time.perf_counter()
    sent = send_due_steps(batch_size=batch_size)
    elapsed = time.perf_counter() - started
    assert sent == DUE, f"sent {sent} of {DUE}"
    assert len(mail.outbox) == DUE
    assert Delivery.objects.filter(enrollment__sequence__name=f"{PREFIX}{batch_size}", status="sent").count() == DUE
    return elapsed


def _direct_send(count: int) -> float:
    """Render the step's templates and send `count` messages on one backend connection, no database: the floor."""
    from django.core.mail import EmailMultiAlternatives, get_connection
    from django.template import Context, Template

    subject, body = Template("Hi {{ first_name }}"), Template("Hello {{ first_name }} at {{ company }}")
    started = time.perf_counter()
    messages = []
    for n in range(count):
        context = Context({"first_name": f"L{n}", "company": "Bench Co"})
        messages.append(
            EmailMultiAlternatives(subject.render(context), body.render(context), to=[f"{PREFIX}{n}@example.test"])
        )
    with get_connection() as backend:
        backend.send_messages(messages)
    return time.perf_counter() - started


def _build_and_send(count: int) -> float:
    """Build the product's own emails for the same leads and step (`build_message`: merge fields, signed unsubscribe
    link and headers, the HTML part with its tracking) from rows held in memory, and send them on one backend
    connection: the sender's work without a database."""
    from django.core.mail import get_connection

    from nurture.services.sending import Claimed, build_message
    from nurture.tracking import new_tracking_token

    sequence = Sequence(pk=1, name=f"{PREFIX}memory")
    step = Step(pk=1, sequence=sequence, order=1, subject="Hi {{ first_name }}",
                body_text="Hello {{ first_name }} at {{ company }}")  # fmt: skip
    leads = [
        Lead(pk=n + 1, first_name=f"L{n}", last_name="Bench", company="Bench Co", email=f"{PREFIX}{n}@example.test")
        for n in range(count)
    ]
    started = time.perf_counter()
    with get_connection() as backend:
        for n, lead in enumerate(leads):
            claimed = Claimed(n + 1, f"<{n}@bench.test>", lead, step, sequence, new_tracking_token())
            backend.send_messages([build_message(claimed, connection=backend)])
    return time.perf_counter() - started


def run(ctx) -> dict:
    """The suite's figure: send 10,000 x scale due steps (claim, render, send, mark) vs rendering and sending alone."""
    from bench.run import row

    due = ctx.scaled(10_000)
    batch_size = settings.FUNNEL_NURTURE_BATCH_SIZE
    # Load the URLconf first, as a running worker has after its first email (with `--only nurture` nothing else
    # has, and its import took about a second of the timed send).
    get_resolver().url_patterns  # noqa: B018
    _clean()
    try:
        _prepare(batch_size, due)
        mail.outbox = []
        seconds, sent = ctx.timed(send_due_steps, batch_size=batch_size)
        if sent != due or len(mail.outbox) != due:
            raise RuntimeError(f"sent {sent} of {due} due steps, {len(mail.outbox)} emails")
        mail.outbox = []
        baseline = _direct_send(due)
        mail.outbox = []
        same_emails = _build_and_send(due)
        mail.outbox = []
    finally:
        _clean()
    return {
        "rows": [
            row(
                f"send {due:,} due steps",
                round(seconds, 3),
                "s",
                baseline=round(baseline, 3),
                baseline_label="render + send the same emails, no database",
            ),
            row(
                "steps/s",
                round(due / seconds),
                "steps/s",
                baseline=round(due / baseline),
                baseline_label="render + send, no database",
                higher_is_better=True,
            ),
            row(
                "steps/s vs building the product's own emails",
                round(due / seconds),
                "steps/s",
                baseline=round(due / same_emails),
                baseline_label="build_message + send the same emails (HTML part, tracking, signed links), no database",
                higher_is_better=True,
            ),
        ],
        "details": {"due": due, "batch_size": batch_size, "email_backend": settings.EMAIL_BACKEND},
    }


def main() -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}, due steps: {DUE}")
    baseline = None
    try:
        for batch_size in BATCHES:
            elapsed = measure_batch(batch_size)
            baseline = baseline or elapsed
            print(
                f"batch {batch_size:>4}: {elapsed:6.2f} s, {DUE / elapsed:7.0f} steps/s "
                f"({elapsed / baseline:.2f}x the time of the first batch size)"
            )
    finally:
        _clean()


if __name__ == "__main__":
    main()
