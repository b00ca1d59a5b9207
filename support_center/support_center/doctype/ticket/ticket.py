# Copyright (c) 2026, Support Center Contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import now_datetime, validate_email_address

from support_center.intake.party import find_or_create_contact
from support_center.permissions.customer_input import (
	CUSTOMER_SETTABLE_TICKET_FIELDS,
	fields_outside_allow_list,
	reset_to_defaults,
	sanitize_text_fields,
	validate_customer_category,
)
from support_center.permissions.ticket import is_support_staff, portal_scope
from support_center.sla.service import apply_sla
from support_center.tickets.lifecycle import resolved_on_after_change


class Ticket(Document):
	def validate(self):
		if not is_support_staff() and not self.flags.party_from_intake:
			self.restrict_to_portal_user()
		sanitize_text_fields(self)
		self.validate_raised_by()
		self.set_contact_from_raised_by()
		self.set_customer_from_contact()
		self.set_default_category_and_priority()
		self.set_resolved_on()
		apply_sla(self)

	def restrict_to_portal_user(self):
		"""A customer files tickets only for themselves, and cannot set the desk's fields."""
		if not self.is_new():
			return
		scope = portal_scope()
		if scope.is_empty:
			frappe.throw(
				_("Your user is not linked to a contact or customer, so it cannot file tickets."),
				frappe.PermissionError,
			)
		contact, customer = scope.party_for_new_ticket(self.contact, self.customer)
		reset_to_defaults(
			self,
			fields_outside_allow_list(
				[df.fieldname for df in self.meta.fields], CUSTOMER_SETTABLE_TICKET_FIELDS
			),
		)
		validate_customer_category(self.category)
		self.contact, self.customer = contact, customer
		self.raised_by = frappe.db.get_value("User", frappe.session.user, "email")
		self.channel = "Portal"
		self.status = "Open"

	def validate_raised_by(self):
		if self.raised_by:
			self.raised_by = validate_email_address(self.raised_by.strip(), throw=True)

	def set_contact_from_raised_by(self):
		# A desk or REST ticket often names only the sender's address; the portal, the customer's history
		# and the sticky agent all go by contact and customer. Staff typed it, or it is the user's own.
		if self.raised_by and not self.contact:
			self.contact = find_or_create_contact(self.raised_by, None, self.raised_by_name)

	def set_customer_from_contact(self):
		if not self.customer and self.contact:
			customers = frappe.get_all(
				"Dynamic Link",
				filters={"parenttype": "Contact", "parent": self.contact, "link_doctype": "Customer"},
				pluck="link_name",
			)
			if len(customers) == 1:
				self.customer = customers[0]
		# Always the linked customer's own name: a request could send another company's.
		self.customer_name = (
			frappe.db.get_value("Customer", self.customer, "customer_name") if self.customer else None
		)

	def set_default_category_and_priority(self):
		settings = frappe.get_cached_doc("Support Center Settings")
		if not self.category:
			self.category = settings.default_category
		if not self.priority and self.category:
			self.priority = frappe.db.get_value("Support Category", self.category, "default_priority")
		if not self.priority:
			self.priority = settings.default_priority

	def set_resolved_on(self):
		before = self.get_doc_before_save()
		old_status = before.status if before else None
		self.resolved_on = resolved_on_after_change(old_status, self.status, self.resolved_on, now_datetime())

	def validate_workflow(self):
		# The app's own status changes (routing.workflow.apply_app_status) follow routing.status rules,
		# not the desk workflow's transitions; flags never come from a request.
		if self.flags.status_set_by_app:
			return
		super().validate_workflow()

	def add_comment(self, *args, **kwargs):
		# Not whitelisted, unlike Frappe's: through run_doc_method any reader of a ticket (its customer)
		# could add Info, "Assigned" or other timeline entries of their choosing. The app's own code and
		# the desk's comment box (for staff) still add them.
		return super().add_comment(*args, **kwargs)

	def on_communication_update(self, communication):
		# Replaces Frappe's update_parent_document_on_communication for tickets.
		from support_center.routing.workflow import on_ticket_communication

		on_ticket_communication(self, communication)


def on_doctype_update():
	# What the SLA monitor looks up every minute, without reading every open ticket.
	frappe.db.add_index("Ticket", ["sla_status", "sla_next_due"])
	frappe.db.add_index("Ticket", ["sla_status", "sla_warning_at"])
	frappe.db.add_index("Ticket", ["sla_status", "sla_notified_status"])
	# A customer's portal list (support_center/portal/ticket_list.py): their slice, newest first.
	frappe.db.add_index("Ticket", ["customer", "modified"])
	frappe.db.add_index("Ticket", ["contact", "modified"])
	# One ticket per imported record, whatever runs the import (support_center/migration).
	frappe.db.add_unique("Ticket", ["imported_from_doctype", "imported_from"], "unique_imported_from")
