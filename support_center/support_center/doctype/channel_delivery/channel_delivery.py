# Copyright (c) 2026, Support Center Contributors and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class ChannelDelivery(Document):
	"""One reply (or acknowledgement) on its way to a messenger; see support_center/channels/delivery.py."""
