"""Routing, assignment and the ticket workflow.

Pure rules (no Frappe import, unit-tested in /tests): ``assignment``, ``status``.
Frappe side: ``rules_sync`` (one Assignment Rule per team), ``assign`` (who gets a ticket),
``availability`` (Available/Away), ``workflow`` (the shipped Workflow and app-driven status changes).
"""
