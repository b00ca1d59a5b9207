"""Run before the integration suite: a site fresh from `new-site` needs ERPNext's setup completed."""

import frappe


def before_tests():
	from erpnext.setup.utils import before_tests as erpnext_before_tests

	erpnext_before_tests()

	from support_center.install import ensure_masters

	ensure_masters()
	# The test classes roll back to this state; it has to be committed once.
	frappe.db.commit()  # nosemgrep
