"""Screenshots and an accessibility check (axe-core) of the customer portal in headless Chromium.

    python scripts/portal_audit.py BASE_URL USER PASSWORD AXE_JS OUT_DIR [TICKET]

Logs in as USER (a customer's portal user), opens /support, /support/new, /support/tickets and
/support/tickets/TICKET (the user's newest ticket when not given) in English, Japanese and Arabic at 360
and 1280 px, saves a full-page screenshot of each in OUT_DIR and runs axe-core (AXE_JS: axe.min.js from the
npm package axe-core) on the page. Prints, per page, the violations inside the portal's own content
(.sc-portal) and those in the site's theme around it (navbar, footer), and exits non-zero when the
portal's content has any. Needs playwright (PyPI) and Debian's chromium.
"""

import json
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LANGUAGES = ("en", "ja", "ar")
WIDTHS = (360, 1280)


def main(base: str, user: str, password: str, axe_js: str, out_dir: str, ticket: str | None = None) -> int:
	out = Path(out_dir)
	out.mkdir(parents=True, exist_ok=True)
	portal_violations = 0
	summary = []
	with sync_playwright() as playwright:
		browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
		for width in WIDTHS:
			context = browser.new_context(viewport={"width": width, "height": 900})
			response = context.request.post(f"{base}/api/method/login", form={"usr": user, "pwd": password})
			assert response.ok, response.text()[:200]
			if not ticket:
				rows = context.request.get(
					f"{base}/api/resource/Ticket",
					params={"limit_page_length": "1", "order_by": "modified desc"},
				).json()["data"]
				ticket = rows[0]["name"]
			pages = {
				"home": "/support",
				"new": "/support/new",
				"tickets": "/support/tickets",
				"ticket": f"/support/tickets/{ticket}",
			}
			page = context.new_page()
			for language in LANGUAGES:
				for name, path in pages.items():
					separator = "&" if "?" in path else "?"
					page.goto(f"{base}{path}{separator}_lang={language}")
					page.wait_for_load_state("networkidle")
					shot = out / f"{name}-{language}-{width}.png"
					page.screenshot(path=str(shot), full_page=True)
					portal_violations += _audit(page, axe_js, summary, name, language, width, shot)
			context.close()
			# What a visitor without an account sees (the request form only when guests may file).
			guest = browser.new_context(viewport={"width": width, "height": 900})
			page = guest.new_page()
			for language in LANGUAGES:
				for name, path in (("guest-home", "/support"), ("guest-new", "/support/new")):
					page.goto(f"{base}{path}?_lang={language}")
					page.wait_for_load_state("networkidle")
					shot = out / f"{name}-{language}-{width}.png"
					page.screenshot(path=str(shot), full_page=True)
					portal_violations += _audit(page, axe_js, summary, name, language, width, shot)
			guest.close()
		browser.close()
	for row in summary:
		print(json.dumps(row, ensure_ascii=False))
	print(f"portal violations: {portal_violations}")
	return 1 if portal_violations else 0


def _audit(page, axe_js: str, summary: list, name: str, language: str, width: int, shot) -> int:
	"""Run axe-core on the page; record the violations inside the portal's content and around it."""
	page.add_script_tag(path=axe_js)
	result = page.evaluate(
		"""async () => {
			const r = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']});
			return {passes: r.passes.length, violations: r.violations.map(v => ({id: v.id, impact: v.impact,
				nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 120)}))}))};
		}"""
	)
	inside = []
	for violation in result["violations"]:
		nodes = [n for n in violation["nodes"] if _inside(page, n["target"])]
		if nodes:
			inside.append({**violation, "nodes": nodes})
	outside = sorted({v["id"] for v in result["violations"]} - {v["id"] for v in inside})
	summary.append(
		{
			"page": name,
			"language": language,
			"width": width,
			"axe_passed_rules": result["passes"],
			"portal_violations": [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in inside],
			"theme_violations": outside,
			"screenshot": str(shot),
		}
	)
	return sum(len(v["nodes"]) for v in inside)


def _inside(page, selector: str) -> bool:
	try:
		return bool(page.evaluate("(s) => !!document.querySelector(s)?.closest('.sc-portal')", selector))
	except Exception:
		return False


if __name__ == "__main__":
	sys.exit(main(*sys.argv[1:]))
