"""Writes on leads: capture (create, edit, status, the conversion stamp) and web forms.

Import from the sub-module that owns a service, e.g. `from leads.services.capture import create_lead`.
"""
