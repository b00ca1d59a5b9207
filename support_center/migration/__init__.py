"""Moving in: ERPNext Issues and Frappe Helpdesk tickets become Tickets, with their whole history.

- ``mapping``: what each source record becomes (status, priority, channel, SLA facts...), pure and
  unit-tested without Frappe (tests/test_migration_mapping.py).
- ``sources``: the two sources (ERPNext Issue, Helpdesk HD Ticket): which rows they read and how.
- ``importer``: the set-based batch import, idempotent and resumable (one transaction per batch).
- ``api``: the Support Center Settings button (a background job with realtime progress).
"""
