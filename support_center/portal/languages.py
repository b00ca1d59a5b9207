"""The languages the portal, the knowledge base and customer-facing mail are written in.

Frappe picks the request's language (`frappe.local.lang`) in this order: the `_lang` parameter, then the
logged-in user's language, else the `preferred_language` cookie and the browser's `Accept-Language`, else
the site's. The portal narrows that to a language it ships.
"""

# Frappe's codes for the 14 languages the portal ships.
PORTAL_LANGUAGES: tuple[str, ...] = (
	"en",
	"ru",
	"ja",
	"de",
	"fr",
	"es",
	"pt",
	"it",
	"tr",
	"pl",
	"uk",
	"zh",
	"ko",
	"ar",
)
RIGHT_TO_LEFT: frozenset[str] = frozenset({"ar"})
DEFAULT_LANGUAGE = "en"


def portal_language(code: str | None) -> str:
	"""The shipped language nearest to a Frappe or browser code: "pt-BR" -> "pt", "zh-CN" -> "zh"."""
	if not code:
		return DEFAULT_LANGUAGE
	code = code.strip().lower().replace("_", "-")
	if code in PORTAL_LANGUAGES:
		return code
	parent = code.split("-", 1)[0]
	return parent if parent in PORTAL_LANGUAGES else DEFAULT_LANGUAGE


def text_direction(code: str | None) -> str:
	return "rtl" if portal_language(code) in RIGHT_TO_LEFT else "ltr"


def visitor_language() -> str:
	"""The language of the current request, as the portal shows it."""
	import frappe

	return portal_language(getattr(frappe.local, "lang", None))
