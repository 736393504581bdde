"""How imports react to their own events: a queued job is kicked to a worker after commit."""

from __future__ import annotations

from core.events import Event, subscribe
from imports.events import ImportEvent
from imports.tasks import run_import_bulk_task


@subscribe(ImportEvent.QUEUED)
def run_queued_import(event: Event) -> None:
    """Start the import on the imports queue; a lost kick is repaired by the stale-import sweeper."""
    run_import_bulk_task.delay_on_commit(event.record_id)
