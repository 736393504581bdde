"""The SOQL subset of the Salesforce-compatible API: a lark grammar, an AST, and a compiler to the Django ORM.

`parser.parse_query(text)` turns SOQL into `nodes.Query`; `compiler.compile_query(query, user)` turns that into a
queryset that always starts from the object's `visible(user)`; `views` serves `/query/` and `/queryAll/` with
keyset-backed `nextRecordsUrl` locators (`cursor`).
"""
