"""Serves one site of the bench on 127.0.0.1 with its assets and files: the web process of scripts/demo.

Frappe picks a site by the request's host name; a demo opened as http://127.0.0.1:8000 has no site of
that name, so the site is fixed here (as `bench serve --site` does), without Werkzeug's debugger, which
`bench serve` turns on outside CI.
"""

import sys

import frappe.app
from werkzeug.serving import run_simple


def main(site: str, port: int) -> None:
	frappe.app._site = site
	application = frappe.app.application_with_statics()
	run_simple("127.0.0.1", port, application, threaded=True, use_reloader=False, use_debugger=False)


if __name__ == "__main__":
	main(sys.argv[1], int(sys.argv[2]))
