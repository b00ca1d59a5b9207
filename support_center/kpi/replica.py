"""Run KPI code on the read replica when the site has one (``read_from_replica`` in site_config.json).

Frappe's ``frappe.read_only()`` switches ``frappe.db`` to the replica for the call and back afterwards, but
leaves the closed replica behind in ``frappe.local``, so the next call in the same request (a report after
its number card, say) quietly stays on the primary. ``on_replica`` forgets that leftover first.
"""

import functools

import frappe


def on_replica(function):
	@functools.wraps(function)
	def wrapper(*args, **kwargs):
		local = frappe.local
		primary = getattr(local, "primary_db", None)
		if primary is not None and local.db is primary:
			# A finished read_only() call left its (closed) replica behind: not ours to reuse.
			del local.primary_db
			if hasattr(local, "replica_db"):
				del local.replica_db
		return frappe.read_only()(function)(*args, **kwargs)

	return wrapper
