"""/kb/<category>: see support_center/knowledge_base/pages.py."""

from support_center.knowledge_base.pages import category_context

no_cache = 1


def get_context(context):
	category_context(context)
