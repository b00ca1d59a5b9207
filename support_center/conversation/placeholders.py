"""Canned-reply and acknowledgement placeholders: a sandboxed Jinja template with only the names we expose.

Pure: Jinja only, no Frappe, so it is unit-tested without a site (tests/test_placeholders.py).

The template itself is trusted HTML written by staff; every value is HTML-escaped (autoescape). Only the
names below exist: no Jinja globals (``range``, ``lipsum``...), no attributes of Python objects beyond
what the sandbox allows, and a name that is not exposed is an error, never a blank.
"""

from collections.abc import Iterable, Mapping
from functools import lru_cache

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment

ALLOWED = frozenset(
	{
		"customer_name",
		"contact_name",
		"ticket",
		"subject",
		"category",
		"agent_name",
		"response_due",
		"resolution_due",
		"portal_link",
	}
)
# The acknowledgement template may also say when to expect the reply, and in which language to say it.
ACKNOWLEDGEMENT = ALLOWED | {"expected_reply", "outside_business_hours", "language"}

# Values used to try a template out when it is saved.
SAMPLE = {
	"customer_name": "Northwind",
	"contact_name": "Laura Smith",
	"ticket": 42,
	"subject": "Printer on fire",
	"category": "Hardware",
	"agent_name": "Ivan Petrov",
	"response_due": "Tuesday 10:00",
	"resolution_due": "Friday 18:00",
	"portal_link": "https://support.example.com/support/tickets/42",
	"expected_reply": "Tuesday 10:00",
	"outside_business_hours": False,
	"language": "en",
}


class PlaceholderError(ValueError):
	"""A template that cannot be rendered: unknown names, bad syntax or a forbidden expression."""

	def __init__(self, message: str, unknown: Iterable[str] = (), line: int | None = None):
		super().__init__(message)
		self.unknown = tuple(sorted(unknown))
		self.line = line


def _environment() -> SandboxedEnvironment:
	env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
	env.globals.clear()
	return env


def _parse(template: str):
	env = _environment()
	try:
		return env, env.parse(template or "")
	except TemplateSyntaxError as error:
		raise PlaceholderError(f"syntax error on line {error.lineno}: {error.message}", line=error.lineno)


# Compiling is most of a render's cost (every acknowledgement and canned reply renders one of a few
# templates); a compiled template depends on its text alone, so a process keeps the ones it used.
@lru_cache(maxsize=512)
def _compiled(template: str) -> tuple[Template, frozenset[str]]:
	env, ast = _parse(template)
	try:
		compiled = env.from_string(ast)
	except TemplateSyntaxError as error:
		raise PlaceholderError(f"syntax error on line {error.lineno}: {error.message}", line=error.lineno)
	return compiled, frozenset(meta.find_undeclared_variables(ast))


def unknown_placeholders(template: str, allowed: Iterable[str] = ALLOWED) -> set[str]:
	"""The names the template uses that are not exposed. Raises PlaceholderError on a syntax error."""
	return set(_compiled(template or "")[1]) - set(allowed)


def check(template: str, allowed: Iterable[str] = ALLOWED) -> None:
	"""Raise PlaceholderError unless the template renders with every allowed name set."""
	unknown = unknown_placeholders(template, allowed)
	if unknown:
		raise PlaceholderError("unknown placeholder: " + ", ".join(sorted(unknown)), unknown=unknown)
	render(template, {name: SAMPLE.get(name, "") for name in allowed}, allowed)


def render(template: str, values: Mapping[str, object], allowed: Iterable[str] = ALLOWED) -> str:
	"""Render with only the allowed names; values are escaped, the template's own HTML is kept."""
	allowed = frozenset(allowed)
	unknown = unknown_placeholders(template, allowed)
	if unknown:
		raise PlaceholderError("unknown placeholder: " + ", ".join(sorted(unknown)), unknown=unknown)
	context = {name: values.get(name, "") for name in allowed}
	for name, value in context.items():
		if value is None:
			context[name] = ""
	try:
		return _compiled(template or "")[0].render(context)
	except TemplateError as error:
		# Undefined attributes, sandbox violations (SecurityError) and the like.
		raise PlaceholderError(str(error) or type(error).__name__)
