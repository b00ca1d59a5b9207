"""Index the tickets that existed before ticket search (support_center/search/tickets.py)."""

from support_center.search.tickets import ensure_fulltext_index, reindex_all


def execute() -> None:
	ensure_fulltext_index()
	reindex_all()
