"""/kb/<category>/<article>[/<language>]: see support_center/knowledge_base/pages.py."""

from support_center.knowledge_base.pages import article_context

no_cache = 1


def get_context(context):
	article_context(context)
