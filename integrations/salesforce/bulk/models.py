"""Bulk API 2.0 jobs: an ingest job (a CSV of records to insert, update, upsert or delete) or a query job.

An ingest job's uploaded CSV is kept as a file; the worker applies it in chunks, each chunk one transaction that
writes its records, their per-row results and the job's position together, so a run that stops resumes after the
last committed chunk and never applies a row twice. A query job's result is a CSV file read page by page.
"""

from __future__ import annotations

from django.db import models


class BulkJobQuerySet(models.QuerySet):
    """Jobs `user` may see: the jobs they created; every job for an admin."""

    def visible_to(self, user) -> BulkJobQuerySet:
        if not user or not user.is_authenticated or not user.is_active:
            return self.none()
        return self if user.is_admin else self.filter(created_by=user)


class BulkJob(models.Model):
    """One Bulk API 2.0 job; `state`, `rows_done` and the counters are its progress."""

    class Kind(models.TextChoices):
        INGEST = "ingest", "Ingest"
        QUERY = "query", "Query"

    class Operation(models.TextChoices):
        INSERT = "insert", "insert"
        UPDATE = "update", "update"
        UPSERT = "upsert", "upsert"
        DELETE = "delete", "delete"
        QUERY = "query", "query"
        QUERY_ALL = "queryAll", "queryAll"

    class State(models.TextChoices):
        OPEN = "Open", "Open"
        UPLOAD_COMPLETE = "UploadComplete", "Upload complete"
        IN_PROGRESS = "InProgress", "In progress"
        JOB_COMPLETE = "JobComplete", "Job complete"
        FAILED = "Failed", "Failed"
        ABORTED = "Aborted", "Aborted"

    class LineEnding(models.TextChoices):
        LF = "LF", "LF"
        CRLF = "CRLF", "CRLF"

    class ColumnDelimiter(models.TextChoices):
        COMMA = "COMMA", "COMMA"
        TAB = "TAB", "TAB"
        SEMICOLON = "SEMICOLON", "SEMICOLON"
        PIPE = "PIPE", "PIPE"
        CARET = "CARET", "CARET"
        BACKQUOTE = "BACKQUOTE", "BACKQUOTE"

    kind = models.CharField(max_length=6, choices=Kind.choices)
    object_name = models.CharField(max_length=40, help_text="The sObject, e.g. Lead.")
    operation = models.CharField(max_length=8, choices=Operation.choices)
    external_id_field = models.CharField(max_length=80, blank=True)
    query = models.TextField(blank=True)
    line_ending = models.CharField(max_length=4, choices=LineEnding.choices, default=LineEnding.LF)
    column_delimiter = models.CharField(max_length=9, choices=ColumnDelimiter.choices, default=ColumnDelimiter.COMMA)
    api_version = models.CharField(max_length=8)
    state = models.CharField(max_length=14, choices=State.choices, default=State.OPEN, db_index=True)
    error_message = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey("users.User", on_delete=models.PROTECT, related_name="+")
    data = models.FileField(upload_to="sfbulk/%Y/%m/", max_length=255, blank=True, help_text="The uploaded CSV.")
    result = models.FileField(upload_to="sfbulk/%Y/%m/", max_length=255, blank=True, help_text="A query's CSV.")
    result_offsets = models.JSONField(
        default=list, blank=True, help_text="Byte offset of every RESULT_PAGE-th record of the query's CSV."
    )
    rows_total = models.PositiveIntegerField(null=True, blank=True, help_text="A query's record count.")
    rows_done = models.PositiveIntegerField(default=0, help_text="Data rows committed; a resumed run starts here.")
    records_processed = models.PositiveIntegerField(default=0)
    records_failed = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, help_text="Heartbeat: saved after every chunk.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = BulkJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "kind", "id"], name="sfbulk_job_creator_kind")]

    def __str__(self) -> str:
        return f"{self.kind} job {self.pk} ({self.operation} {self.object_name})"

    @property
    def is_query(self) -> bool:
        return self.kind == self.Kind.QUERY


class IngestResult(models.Model):
    """What one data row (0 = the first row after the header) of an ingest job did: a record id, or an error."""

    pk = models.CompositePrimaryKey("job_id", "row")
    job = models.ForeignKey("sfbulk.BulkJob", on_delete=models.CASCADE, related_name="results", db_index=False)
    row = models.PositiveIntegerField()
    record_id = models.CharField(max_length=18, blank=True)
    created = models.BooleanField(default=False)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["job", "row"]

    def __str__(self) -> str:
        return f"job {self.job_id} row {self.row}: {self.error or self.record_id}"
