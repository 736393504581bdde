"""Campaign errors: a stable code and an HTTP status (core.exceptions)."""

from core.exceptions import Conflict, PermissionDenied


class CampaignManagersOnly(PermissionDenied):
    code = "campaign_managers_only"
    default_detail = "Only managers and admins may create, change or delete campaigns."


class CampaignHasChildren(Conflict):
    code = "campaign_has_children"
    default_detail = "This campaign still has child campaigns; move or delete them first."
