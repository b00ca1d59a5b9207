import pytest

from support_center.conversation.placeholders import (
	ACKNOWLEDGEMENT,
	ALLOWED,
	PlaceholderError,
	check,
	render,
	unknown_placeholders,
)

VALUES = {
	"customer_name": "Northwind",
	"contact_name": "Laura",
	"ticket": 7,
	"subject": "Printer",
	"category": "Hardware",
	"agent_name": "Ivan",
	"response_due": "Tuesday 10:00",
	"resolution_due": "Friday 18:00",
	"portal_link": "https://example.com/support/tickets/7",
}


def test_the_exposed_names_are_exactly_the_documented_ones():
	assert ALLOWED == set(VALUES)
	assert ACKNOWLEDGEMENT == ALLOWED | {"expected_reply", "outside_business_hours", "language"}


def test_placeholders_render_and_the_template_html_is_kept():
	out = render("<p>Hello {{ contact_name }}, ticket #{{ ticket }}: {{ subject }}</p>", VALUES)
	assert out == "<p>Hello Laura, ticket #7: Printer</p>"


def test_values_are_html_escaped():
	values = dict(VALUES, subject="<script>alert(1)</script>", contact_name="Tom & Jerry")
	out = render("<b>{{ subject }}</b> {{ contact_name }}", values)
	assert out == "<b>&lt;script&gt;alert(1)&lt;/script&gt;</b> Tom &amp; Jerry"


def test_unknown_placeholders_are_named():
	assert unknown_placeholders("{{ contact_name }} {{ password }} {{ frappe }}") == {"password", "frappe"}
	assert unknown_placeholders("{% for x in [1] %}{{ x }}{% endfor %}{{ subject }}") == set()


def test_unknown_placeholder_is_an_error_not_a_blank():
	with pytest.raises(PlaceholderError) as error:
		render("Dear {{ contact_nme }}", VALUES)
	assert error.value.unknown == ("contact_nme",)
	assert "contact_nme" in str(error.value)


def test_jinja_globals_are_not_exposed():
	assert unknown_placeholders("{{ range(10) }} {{ lipsum() }} {{ cycler }}") == {
		"range",
		"lipsum",
		"cycler",
	}


def test_syntax_error_is_reported_with_its_line():
	with pytest.raises(PlaceholderError) as error:
		unknown_placeholders("ok\n{{ subject ")
	assert error.value.line == 2
	with pytest.raises(PlaceholderError):
		check("{% if subject %}no end")


def test_sandbox_blocks_python_internals():
	with pytest.raises(PlaceholderError):
		render("{{ subject.__class__.__mro__ }}", VALUES)
	with pytest.raises(PlaceholderError):
		check("{{ ticket.__class__.__subclasses__() }}")


def test_attributes_that_do_not_exist_are_errors():
	with pytest.raises(PlaceholderError):
		check("{{ ticket.owner }}")


def test_check_accepts_every_allowed_name_and_filters():
	check(" ".join("{{ " + name + " }}" for name in sorted(ALLOWED)) + " {{ subject | upper }}")


def test_missing_values_render_empty_but_none_is_not_printed():
	assert render("[{{ category }}]", dict(VALUES, category=None)) == "[]"
	assert render("[{{ agent_name }}]", {}) == "[]"


def test_values_outside_the_allowed_names_are_not_passed():
	with pytest.raises(PlaceholderError):
		render("{{ secret }}", dict(VALUES, secret="x"))


def test_acknowledgement_names_branch_on_language_and_hours():
	template = (
		"{% if language == 'ru' %}Ответим до {{ expected_reply }}{% else %}We will reply by "
		"{{ expected_reply }}{% endif %}{% if outside_business_hours %} (outside business hours){% endif %}"
	)
	assert unknown_placeholders(template, ACKNOWLEDGEMENT) == set()
	assert unknown_placeholders(template) == {"language", "expected_reply", "outside_business_hours"}
	values = {"expected_reply": "Tuesday 10:00", "outside_business_hours": True, "language": "en"}
	assert (
		render(template, values, ACKNOWLEDGEMENT) == "We will reply by Tuesday 10:00 (outside business hours)"
	)
	values = {"expected_reply": "вторник 10:00", "outside_business_hours": False, "language": "ru"}
	assert render(template, values, ACKNOWLEDGEMENT) == "Ответим до вторник 10:00"
