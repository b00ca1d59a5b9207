# Copyright (c) 2026, Support Center Contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from support_center.sla.service import TICKET_STATUSES, calendar_for, statuses


class SLAPolicy(Document):
	def validate(self):
		self.drop_tree_roots()
		self.validate_single_default()
		self.validate_statuses()
		self.validate_targets()
		self.validate_condition()
		self.validate_calendar()

	def drop_tree_roots(self):
		# A root (All Customer Groups, which ERPNext pre-fills, or All Topics) means every ticket,
		# including those with no customer or category yet: the same as no criterion.
		for fieldname, doctype, parent_field in (
			("customer_group", "Customer Group", "parent_customer_group"),
			("category", "Support Category", "parent_support_category"),
		):
			value = self.get(fieldname)
			if value and not frappe.db.get_value(doctype, value, parent_field):
				self.set(fieldname, None)

	def validate_single_default(self):
		if self.default_policy and self.enabled:
			other_default = frappe.db.exists(
				"SLA Policy", {"default_policy": 1, "enabled": 1, "name": ("!=", self.name)}
			)
			if other_default:
				frappe.throw(
					_("{0} is already the default SLA policy. Only one policy can be the default.").format(
						frappe.bold(other_default)
					)
				)

	def validate_statuses(self):
		for label, text in (
			(_("Pause on Statuses"), self.pause_statuses),
			(_("Fulfil on Statuses"), self.fulfil_statuses),
		):
			unknown = [status for status in statuses(text) if status not in TICKET_STATUSES]
			if unknown:
				frappe.throw(
					_("{0}: {1} is not a ticket status. Use one of: {2}").format(
						label, ", ".join(unknown), ", ".join(TICKET_STATUSES)
					)
				)
		both = set(statuses(self.pause_statuses)) & set(statuses(self.fulfil_statuses))
		if both:
			frappe.throw(
				_("A status cannot both pause and fulfil the SLA: {0}").format(", ".join(sorted(both)))
			)

	def validate_targets(self):
		seen = set()
		for row in self.targets:
			key = row.priority or ""
			if key in seen:
				frappe.throw(
					_("Row {0}: there is already a target for priority {1}.").format(
						row.idx, row.priority or _("(any other)")
					)
				)
			seen.add(key)
			if not (row.first_response_time or row.next_response_time or row.resolution_time):
				frappe.throw(_("Row {0}: set at least one target time.").format(row.idx))

	def validate_condition(self):
		if not self.condition:
			return
		try:
			compile(self.condition, "<condition>", "eval")
		except SyntaxError as error:
			frappe.throw(_("The condition is not a valid Python expression: {0}").format(error.msg))

	def validate_calendar(self):
		try:
			calendar = calendar_for(self)
		except ValueError as error:
			frappe.throw(_("The business hours are not valid: {0}").format(str(error)))
		if not calendar.has_working_time:
			frappe.throw(_("The business hours have no working time."))
