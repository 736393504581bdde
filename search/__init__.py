"""Global search across leads, contacts, accounts and opportunities (pg_trgm on PostgreSQL)."""
