# Copyright (c) 2026, Support Center Contributors and contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class KBFeedback(Document):
	pass


def on_doctype_update():
	# One vote per visitor and article, whatever races the endpoint.
	frappe.db.add_unique("KB Feedback", ["article", "voter"], constraint_name="unique_article_voter")
