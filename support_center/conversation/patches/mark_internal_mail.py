"""Mark the internal mail that tickets received before the rule existed (conversation/visibility.py).

Mail sent from the desk to third parties only, and received mail answering an internal message (a
consult's thread, a supplier's answer), are marked ``support_internal`` so that customers stop seeing them.
"""

import frappe
from frappe.utils import cint

from support_center.conversation.visibility import (
	FIELD,
	MESSAGE,
	ensure_internal_field,
	is_internal,
	party_addresses,
)
from support_center.conversation.visibility_rules import addresses, sent_is_internal


def execute() -> None:
	ensure_internal_field()
	rows = frappe.get_all(
		"Communication",
		filters={"reference_doctype": "Ticket", "reference_name": ("is", "set")},
		fields=[
			"name",
			"reference_name",
			"communication_type",
			"sent_or_received",
			"recipients",
			"cc",
			"bcc",
			"in_reply_to",
			FIELD,
		],
		order_by="creation asc",
	)
	internal = {row.name for row in rows if is_internal(row)}
	parties: dict[str, set[str]] = {}
	for row in rows:
		if row.name in internal:
			continue
		if row.sent_or_received == "Received":
			marked = bool(row.in_reply_to and row.in_reply_to in internal)
		elif row.communication_type == MESSAGE:
			if row.reference_name not in parties:
				parties[row.reference_name] = party_addresses(row.reference_name)
			marked = sent_is_internal(addresses(row.recipients, row.cc, row.bcc), parties[row.reference_name])
		else:
			marked = False
		if marked and not cint(row.get(FIELD)):
			frappe.db.set_value("Communication", row.name, FIELD, 1, update_modified=False)
			internal.add(row.name)
