# Copyright (c) 2026, Support Center Contributors and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class SupportGuestRequest(Document):
	# The portal's guest form makes these and the confirmation link turns them into tickets
	# (support_center/portal/guest.py); nobody edits them in the desk.
	pass
