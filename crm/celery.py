"""The Celery app and the ONE beat schedule.

Tasks are kicks: they take ids, re-read the database and are idempotent.
`delay_on_commit` never fails the request that enqueues: when the broker is
down the failure is logged and the sweepers on beat catch up.
"""

import logging
import os
import threading
import time

from celery import Celery
from celery.concurrency.solo import TaskPool as SoloPool
from celery.contrib.django.task import DjangoTask
from celery.exceptions import WorkerShutdown, WorkerTerminate
from celery.schedules import crontab
from celery.signals import worker_ready, worker_shutting_down
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")

logger = logging.getLogger(__name__)


class _BrokerBackoff:
    """Per process: after a failed enqueue, skip enqueues for a while instead of waiting on a dead broker again."""

    def __init__(self) -> None:
        self._until = 0.0
        self._lock = threading.Lock()

    def active(self) -> bool:
        return time.monotonic() < self._until

    def trip(self) -> None:
        from django.conf import settings

        with self._lock:
            self._until = time.monotonic() + settings.FUNNEL_BROKER_BACKOFF_SECONDS

    def reset(self) -> None:
        with self._lock:
            self._until = 0.0


broker_backoff = _BrokerBackoff()


class FunnelTask(DjangoTask):
    """A task whose on-commit enqueue survives a broker outage."""

    def delay_on_commit(self, *args, **kwargs) -> None:
        self.apply_async_on_commit(args, kwargs)

    def apply_async_on_commit(self, args=None, kwargs=None, **options) -> None:
        def enqueue() -> None:
            if broker_backoff.active() and not self.app.conf.task_always_eager:
                logger.warning(
                    "broker recently unreachable; not enqueueing %s%r, the sweeper will catch up", self.name, args
                )
                return
            try:
                self.apply_async(args, kwargs, **options)
            except Exception:  # the sweeper repairs what a lost kick missed
                broker_backoff.trip()
                logger.exception("could not enqueue %s%r; the sweeper will catch up", self.name, args)
            else:
                broker_backoff.reset()

        enqueue.task_name = self.name  # lets tests tell which task a captured on-commit callback kicks
        transaction.on_commit(enqueue)


app = Celery("crm", task_cls=FunnelTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class _PollingShutdown:
    """Stop a worker on the filesystem broker (`make run`) at once, not after its blocking poll.

    That broker has no event loop: the worker polls it in 2-second rounds and notices a shutdown only after the
    round it is in and one more (measured 2 to 5.5 s), and honcho SIGKILLs whatever is left 5 s after Ctrl-C.
    Raising the shutdown from the signal handler, as Celery 4 did, ends the poll now (0.5 s). Only where the main
    thread merely polls (threads or prefork pool, not solo): running tasks live in other threads or processes, and
    the warm shutdown still waits for them. Redis has an event loop and needs none of this.
    """

    main_thread_only_polls = False

    @staticmethod
    @worker_ready.connect
    def remember_where_tasks_run(sender, **kwargs) -> None:
        pool = sender.pool
        _PollingShutdown.main_thread_only_polls = not isinstance(pool, SoloPool) and not pool.is_green

    @staticmethod
    @worker_shutting_down.connect
    def end_the_poll_now(sig, how, exitcode, **kwargs) -> None:
        if _PollingShutdown.main_thread_only_polls and app.conf.broker_url.startswith("filesystem://"):
            raise (WorkerTerminate if how == "Cold" else WorkerShutdown)(exitcode)


app.conf.beat_schedule = {
    "heartbeat": {"task": "core.tasks.heartbeat_task", "schedule": 60.0},
    "score-unscored-leads": {"task": "scoring.tasks.score_unscored_leads_task", "schedule": 60.0},
    # Nightly, so engagement decay shows in every lead's score and rating by the next working day.
    "rescore-all-leads-nightly": {
        "task": "scoring.tasks.rescore_all_leads_bulk_task",
        "schedule": crontab(hour=2, minute=30),
        "kwargs": {"reason": "nightly decay"},
    },
    # Hourly: the leads edited or newly engaged since the last run (a lost per-lead rescoring kick is repaired here).
    "rescore-changed-leads": {"task": "scoring.tasks.rescore_changed_leads_task", "schedule": 3600.0},
    # Weekly, Sunday night: a new version of the predictive conversion model from the week's closed leads; it
    # predicts every open lead as soon as it is trained.
    "train-conversion-model-weekly": {
        "task": "scoring.tasks.train_conversion_model_task",
        "schedule": crontab(day_of_week=0, hour=3, minute=45),
    },
    # Nightly: predictions read days since the last activity, which grow with every day without one.
    "predict-open-leads-nightly": {
        "task": "scoring.tasks.predict_leads_task",
        "schedule": crontab(hour=4, minute=15),
    },
    # Every 30 s, as the nurture sender: a bulk pass whose worker stopped is finished by the next tick (< 1 min).
    "assign-unassigned-leads": {
        "task": "assignment.tasks.assign_unassigned_leads_task",
        "schedule": 30.0,
    },
    "purge-idempotency-keys": {"task": "core.tasks.purge_idempotency_keys_task", "schedule": 3600.0},
    # The database says which webhook deliveries are due (new, or retrying); writes also kick it after commit.
    "webhooks-deliver": {"task": "integrations.webhooks.tasks.deliver_webhooks_task", "schedule": 10.0},
    # The database says which nurture steps are due; this only kicks the sender.
    "nurture-send-due-steps": {"task": "nurture.tasks.send_due_steps_task", "schedule": 30.0},
    "nurture-sweep": {"task": "nurture.tasks.sweep_nurture_task", "schedule": 300.0},
    # Long jobs (imports, rescoring, …) whose worker stopped renewing its lease are re-queued and taken over.
    "sweep-leases": {
        "task": "core.tasks.sweep_leases_task",
        "schedule": float(os.environ.get("FUNNEL_LEASE_SWEEP_SECONDS", 15)),
    },
    "sweep-sf-bulk-jobs": {"task": "integrations.salesforce.bulk.tasks.sweep_bulk_jobs_bulk_task", "schedule": 300.0},
    "purge-import-files": {"task": "imports.tasks.purge_import_files_task", "schedule": crontab(hour=3, minute=15)},
    # Nightly: events, tracking hits and security events past FUNNEL_RETENTION_*_DAYS (all kept when unset).
    "apply-retention": {"task": "privacy.tasks.apply_retention_task", "schedule": crontab(hour=3, minute=40)},
    # The database says which task reminders are due; this only kicks the sender.
    "task-reminders": {"task": "activities.tasks.send_due_reminders_task", "schedule": 60.0},
    # The database says which first-touch targets were missed; this only kicks the breach handler.
    "sla-breaches": {"task": "assignment.tasks.handle_sla_breaches_task", "schedule": 60.0},
    # The report rollups' appended changes, folded into their day rows (readers add the unfolded ones anyway).
    "fold-report-rollups": {"task": "dashboards.tasks.fold_funnel_rollup_task", "schedule": 60.0},
    # Hourly: each manager's digest is due on Monday from 07:00 in their own zone; the database says who is due.
    "weekly-digests": {"task": "dashboards.tasks.send_weekly_digests_task", "schedule": crontab(minute=5)},
    # Weekly, Monday early: the forecast as the week starts, for "change since last week"; a rerun adds nothing.
    "forecast-snapshots-weekly": {
        "task": "opportunities.tasks.take_forecast_snapshots_task",
        "schedule": crontab(day_of_week=1, hour=0, minute=30),
    },
}
