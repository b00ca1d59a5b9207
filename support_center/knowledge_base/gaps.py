"""The knowledge-base gap report: where tickets show what the knowledge base is missing.

Three kinds of rows, ranked by volume: support categories with many tickets no article answered, frequent
ticket subjects (grouped by their significant words) with no article that answered them, and portal searches
that found nothing. `subject_key` and `rank_rows` are pure; `gap_rows` queries.
"""

import re
from collections import Counter

from support_center.knowledge_base.tokens import INNODB_STOPWORDS, segments

# Words that say nothing about the topic of a request.
FILLER = (
	frozenset(
		"""re fw fwd aw wg hi hello help please problem issue question urgent request ticket order my your our
	can cannot can't not no yes have has had get got need want does did do with without about and the
	один мой моя мое мои не нет как что где почему проблема вопрос помогите пожалуйста заказ""".split()
	)
	| INNODB_STOPWORDS
)
_NUMBER = re.compile(r"^[\d\-#/.]+$")


def subject_key(subject: str, words: int = 3) -> str:
	"""The first significant words of a subject, sorted, so "Invoice PDF missing" and "missing invoice
	pdf!" group together; CJK runs are kept as they are."""
	significant: list[str] = []
	for kind, value in segments(subject or ""):
		if kind == "cjk":
			significant.append(value)
		elif len(value) > 2 and value not in FILLER and not _NUMBER.match(value):
			significant.append(value)
		if len(significant) >= words:
			break
	return " ".join(sorted(significant))


def rank_rows(rows: list[dict], minimum: int = 1) -> list[dict]:
	"""Rows with at least `minimum` volume, largest volume first (then by kind and item)."""
	kept = [row for row in rows if row["volume"] >= minimum]
	return sorted(kept, key=lambda row: (-row["volume"], row["kind"], row["item"]))


def subject_rows(subjects: list[tuple[str, int, int, str]]) -> list[dict]:
	"""From (subject, tickets, answered, example ticket) to one row per subject key."""
	totals: Counter = Counter()
	answered: Counter = Counter()
	examples: dict[str, str] = {}
	for subject, count, answered_count, example in subjects:
		key = subject_key(subject)
		if not key:
			continue
		totals[key] += count
		answered[key] += answered_count
		examples.setdefault(key, example)
	return [
		{
			"kind": "Subject",
			"item": key,
			"tickets": totals[key],
			"answered": answered[key],
			"volume": totals[key] - answered[key],
			"example": examples[key],
		}
		for key in totals
	]


def gap_rows(from_date, to_date, minimum: int = 2, limit: int = 200) -> list[dict]:
	import frappe
	from frappe.query_builder.functions import Count, Max

	values = {"from": from_date, "to": to_date}
	# Report aggregates (conditional SUMs, GROUP BY lower(subject)) over the period, one query each.
	categories = frappe.db.sql(  # nosemgrep: frappe-using-db-sql
		"""select ifnull(category, '') as category, count(*) as tickets,
			sum(case when ifnull(answered_by_article, '') != '' then 1 else 0 end) as answered
		from `tabTicket` where creation between %(from)s and %(to)s and ifnull(merged_into, '') = ''
		group by category""",
		values,
		as_dict=True,
	)
	rows = [
		{
			"kind": "Category",
			"item": row.category or "(none)",
			"tickets": int(row.tickets),
			"answered": int(row.answered or 0),
			"volume": int(row.tickets) - int(row.answered or 0),
			"example": "",
		}
		for row in categories
	]
	subjects = frappe.db.sql(  # nosemgrep: frappe-using-db-sql
		"""select lower(subject), count(*),
			sum(case when ifnull(answered_by_article, '') != '' then 1 else 0 end), max(name)
		from `tabTicket` where creation between %(from)s and %(to)s and ifnull(merged_into, '') = ''
		group by lower(subject) limit 20000""",
		values,
	)
	rows += subject_rows([(s, int(c), int(a or 0), str(e)) for s, c, a, e in subjects])
	log = frappe.qb.DocType("KB Search Log")
	searches = (
		frappe.qb.from_(log)
		.select(log.normalized_query, Count("*").as_("searches"), Max(log.query).as_("example"))
		.where((log.results == 0) & log.creation[from_date:to_date])
		.groupby(log.normalized_query)
	).run(as_dict=True)
	rows += [
		{
			"kind": "Search",
			"item": row.normalized_query,
			"tickets": 0,
			"answered": 0,
			"volume": int(row.searches),
			"example": row.example,
		}
		for row in searches
	]
	return rank_rows(rows, minimum)[:limit]
