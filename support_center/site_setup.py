"""Completing ERPNext's setup wizard from the command line, for a demo or a fresh evaluation site.

Until the wizard has run, Frappe sends every user without System Manager to the wizard, so a demo agent
opening the desk gets "Not permitted". The choices are the ones the wizard's first pages ask for.
"""

import frappe
from frappe.utils import now_datetime


def company_abbreviation(company: str) -> str:
	"""The initials of the company's words, as the wizard suggests them: "Support Center Demo" -> "SCD"."""
	initials = "".join(word[0] for word in company.split() if word[:1].isalnum()).upper()
	return (initials or company[:3].upper())[:5]


def complete_setup_wizard(
	company: str, country: str, currency: str, timezone: str, language: str = "English"
) -> bool:
	"""Runs the wizard's stages once; returns False when the site had already finished its setup."""
	from frappe.desk.page.setup_wizard.setup_wizard import setup_complete

	if frappe.is_setup_complete():
		return False
	if not frappe.db.exists("Country", country):
		frappe.throw(frappe._("Unknown country {0}").format(country))
	if not frappe.db.exists("Currency", currency):
		frappe.throw(frappe._("Unknown currency {0}").format(currency))
	year = now_datetime().year
	result = setup_complete(
		{
			"language": language,
			"country": country,
			"timezone": timezone,
			"currency": currency,
			"company_name": company,
			"company_abbr": company_abbreviation(company),
			"chart_of_accounts": "Standard",
			"fy_start_date": f"{year}-01-01",
			"fy_end_date": f"{year}-12-31",
			"setup_demo": 0,
		}
	)
	if (result or {}).get("status") != "ok":
		frappe.throw(frappe._("ERPNext's setup wizard did not finish: {0}").format(result))
	return True
