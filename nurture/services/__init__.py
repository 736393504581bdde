"""Writes on nurture, split by sub-domain: enrollment (enrol, stop, rules), sending (claim and send due steps),
unsubscribe, sequences (configuration).

Import from the sub-module that owns a service, e.g. `from nurture.services.enrollment import enroll_lead`.
"""
