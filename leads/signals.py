"""Custom signals the lead services send explicitly, so apps downstream (nurture) can react without leads importing them.

These are NOT model save signals: a service sends one after its write, inside its transaction,
and receivers only enqueue follow-up work on commit (no domain logic in receivers).
Each is sent with `sender=Lead` and `lead=<Lead>`.
"""

from django.dispatch import Signal

# A lead was created or its details changed (capture, edit, import).
lead_captured = Signal()
# A lead's status changed.
lead_status_changed = Signal()
# A lead's score changed (scoring sends it through `on_lead_score_changed`).
lead_score_changed = Signal()
# A lead was converted.
lead_converted = Signal()
