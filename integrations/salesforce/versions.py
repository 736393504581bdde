"""The API versions served under /services/data/ (objects.py re-exports them)."""

API_VERSION = "62.0"
SUPPORTED_VERSIONS = [f"{major}.0" for major in range(52, 63)]
