"""Integrations: the Salesforce-compatible API (`integrations.salesforce`, mounted at /services/) and signed
webhooks (`integrations.webhooks`). Both sit above the record apps and the funnel apps and work through their
services, selectors and `visible_to`; they never import each other."""
