"""The rep's workspace around the record lists: saved views (filters, sort, columns) and list shaping."""
