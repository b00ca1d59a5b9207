"""/support/feedback: the resolution mail's signed rating and loyalty links (no login needed).

Opening the page stores nothing (mail scanners open links); the customer confirms the answer."""

from support_center.portal.pages import feedback_context

no_cache = 1


def get_context(context):
	feedback_context(context)
