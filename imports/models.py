"""CSV import jobs of leads and the rows they could not import."""

from __future__ import annotations

from django.db import models

from core.models import VisibleByOwnerQuerySet


class ImportJobQuerySet(VisibleByOwnerQuerySet):
    """Jobs `user` may see: their own; a manager's team members' too; all for an admin."""

    visibility_field = "created_by"
    include_unassigned = False


class ImportJob(models.Model):
    """One CSV file of leads being imported in chunks; the row counters are its progress."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Awaiting mapping"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    file = models.FileField(upload_to="imports/%Y/%m/", max_length=255)
    original_name = models.CharField(max_length=255, blank=True)
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True, help_text="CSV header → lead field; unmapped headers skip.")
    owner = models.ForeignKey(
        "users.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Empty: assignment."
    )
    created_by = models.ForeignKey("users.User", on_delete=models.PROTECT, related_name="import_jobs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0, help_text="Data rows committed; a retried run resumes here.")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0, help_text="Rows merged into an earlier row with the same email.")
    failed = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    run_rows_start = models.PositiveIntegerField(default=0, help_text="rows_done when the current run began (rate).")
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, help_text="Heartbeat: saved after every chunk.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        db_table = "leads_importjob"  # created by the leads app, which held this model before
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.original_name})"

    @property
    def rate(self) -> float | None:
        """Rows per second of the current run."""
        if not self.started_at:
            return None
        end = self.finished_at or self.updated_at
        seconds = (end - self.started_at).total_seconds()
        done = self.rows_done - self.run_rows_start
        return round(done / seconds, 1) if seconds > 0 and done > 0 else None

    @property
    def eta_seconds(self) -> int | None:
        if self.status != self.Status.RUNNING or not self.rows_total or not self.rate:
            return None
        return max(0, round((self.rows_total - self.rows_done) / self.rate))

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.rows_done * 100 // self.rows_total)


class ImportRowError(models.Model):
    """Why one row (spreadsheet numbering: the header is row 1) of an import was not imported."""

    job = models.ForeignKey("imports.ImportJob", on_delete=models.CASCADE, related_name="row_errors")
    row = models.PositiveIntegerField()
    column = models.CharField(max_length=255, blank=True)
    message = models.CharField(max_length=255)
    value = models.CharField(max_length=255, blank=True)

    class Meta:
        db_table = "leads_importrowerror"  # created by the leads app, which held this model before
        ordering = ["job", "row", "id"]
        indexes = [models.Index(fields=["job", "row"], name="import_error_job_row")]

    def __str__(self) -> str:
        return f"row {self.row}: {self.column} {self.message}"


class ImportedLead(models.Model):
    """A lead an import job created or updated: what the job's "see its leads" link on the lead list shows.

    Written set-based with the chunk that touched the lead, in the same transaction; a lead the job created and a
    later row updated keeps `created`. The lead list filters through the reverse relation `import_links` (leads sit
    below imports and never import this model).
    """

    # (job, lead) is the key: no id sequence and one index fewer per imported lead (measured on the import bench).
    pk = models.CompositePrimaryKey("job_id", "lead_id")
    job = models.ForeignKey(
        "imports.ImportJob",
        on_delete=models.CASCADE,
        related_name="lead_links",
        db_index=False,  # the key leads with it
    )
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="import_links")
    created = models.BooleanField(help_text="The job created the lead; false: it updated an open lead.")

    class Meta:
        ordering = ["job", "lead"]

    def __str__(self) -> str:
        return f"import {self.job_id} → lead {self.lead_id}"
