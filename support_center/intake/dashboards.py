"""Every ticket of a customer or contact, across channels, from their form's connections."""

from frappe import _


def customer_dashboard(data):
	return _add_tickets(data, "customer")


def contact_dashboard(data):
	return _add_tickets(data, "contact")


def _add_tickets(data, fieldname: str):
	data = data or {}
	transactions = data.setdefault("transactions", [])
	if not data.get("fieldname"):
		data["fieldname"] = fieldname
	elif data["fieldname"] != fieldname:
		data.setdefault("non_standard_fieldnames", {})["Ticket"] = fieldname
	transactions.append({"label": _("Support"), "items": ["Ticket"]})
	return data
