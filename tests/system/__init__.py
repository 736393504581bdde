"""Whole-system behaviour that belongs to no single app.

What goes here: suites that exercise every API endpoint or every page at once (schemathesis, hostile input and
writes, markup in every field in a real browser, the rep's cross-app daily loop), behaviour under failure of a
part (broker or database outage, a worker killed mid-task, beat running twice), load, sessions, and invariants
every app's services keep (record history). A test of one app's module goes in `tests/<app>/test_<module>.py`.
"""
