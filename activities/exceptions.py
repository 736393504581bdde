"""Domain errors of the timeline."""

from core.exceptions import ApplicationError


class AttachmentMissing(ApplicationError):
    code = "attachment_missing"
    status_code = 400
    default_detail = "Choose a file to attach."


class AttachmentEmpty(ApplicationError):
    code = "attachment_empty"
    status_code = 400
    default_detail = "The file is empty: there is nothing to attach."


class AttachmentTooLarge(ApplicationError):
    code = "attachment_too_large"
    status_code = 413
    default_detail = "The file is larger than the limit of {limit}."


class RecordReadOnly(ApplicationError):
    code = "record_read_only"
    status_code = 409
    default_detail = "This record is read-only: {reason}."
