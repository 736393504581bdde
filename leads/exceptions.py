from core.exceptions import ApplicationError


class LeadConverted(ApplicationError):
    code = "lead_converted"
    status_code = 409
    default_detail = "This lead is converted and read-only."


class LeadAlreadyConverted(ApplicationError):
    code = "lead_already_converted"
    status_code = 409
    default_detail = "This lead has already been converted."


class LeadNotConvertible(ApplicationError):
    code = "lead_not_convertible"
    status_code = 400
    default_detail = "An unqualified lead cannot be converted."


class QualificationIncomplete(ApplicationError):
    """Qualifying a lead needs its qualification checklist complete (`FUNNEL_QUALIFY_REQUIRES_CHECKLIST`)."""

    code = "qualification_incomplete"
    status_code = 400
    default_detail = "Complete the qualification checklist before qualifying this lead; missing: {missing}."
