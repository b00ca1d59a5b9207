"""/kb: see support_center/knowledge_base/pages.py."""

from support_center.knowledge_base.pages import index_context

no_cache = 1


def get_context(context):
	index_context(context)
