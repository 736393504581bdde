from core.exceptions import ApplicationError


class LeadNotEnrollable(ApplicationError):
    code = "lead_not_enrollable"
    status_code = 400
    default_detail = "This lead cannot be nurtured: {reason}."


class LeadAlreadyEnrolled(ApplicationError):
    code = "lead_already_enrolled"
    status_code = 409
    default_detail = "This lead is already enrolled in this sequence."


class SequenceNotEnrollable(ApplicationError):
    code = "sequence_not_enrollable"
    status_code = 400
    default_detail = "This sequence cannot take enrollments: {reason}."


class StepInUse(ApplicationError):
    code = "step_in_use"
    status_code = 409
    default_detail = "A step that has been sent or is next for an enrollment cannot be removed."


class InvalidUnsubscribeLink(ApplicationError):
    code = "invalid_unsubscribe_link"
    status_code = 404
    default_detail = "This unsubscribe link is not valid."


class SequenceInUse(ApplicationError):
    code = "sequence_in_use"
    status_code = 409
    default_detail = "A sequence with enrollments cannot be deleted; make it inactive instead."


class RecipientNotEmailable(ApplicationError):
    code = "recipient_not_emailable"
    status_code = 400
    default_detail = "No email can be sent here: {reason}."


class InboundEmailRefused(ApplicationError):
    code = "inbound_email_refused"
    status_code = 400
    default_detail = "{reason}"
