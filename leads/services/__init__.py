"""Writes on leads, split by sub-domain: capture (create, edit, status), conversion, scoring, assignment.

Import from the sub-module that owns a service, e.g. `from leads.services.capture import create_lead`.
"""
