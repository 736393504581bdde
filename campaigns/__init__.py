"""Campaigns: Campaign, members (leads and contacts with a member status), costs."""
