"""Support KPIs on a known set of tickets: every measure's exact value, from SQL and from the definitions.

March 2024, one team of their own (so other tickets on the site never count), "now" is 15 April 2024:

| # | opened         | category | party | status      | first answer (s) | resolved (s)   | notes                         |
|---|----------------|----------|-------|-------------|------------------|----------------|-------------------------------|
| 1 | 03-05 10:00    | A        | C1    | Closed      | 03-05, 3600      | 03-05, 18000   | one reply: first contact      |
| 2 | 03-06 09:00    | A1 (⊂ A) | C1    | Resolved    | 03-06, 7200      | 03-08, 36000   | two replies and an internal   |
| 3 | 03-07 09:00    | A        | C1    | Closed      | 03-07, 1800      | 03-20, 20000   | reopened; repeats #1          |
| 4 | 03-10 09:00    | B        | C2    | Open        | none, due 03-10  |                | breached now, waiting         |
| 5 | 02-25 09:00    | B        | C2    | Resolved    | 02-25, 900       | 03-02, 10000   | spans the period's start      |
| 6 | 03-31 23:30    | B        | C2    | Waiting     | 03-31, 600       |                | last half hour of the period  |
| 7 | 04-01 00:00    | B        | C2    | Open        |                  |                | first second after the period |
| 8 | 03-12 09:00    | A        | C1    | Closed      |                  | 03-12          | merged into #3                |
| 9 | 03-15 10:00    | A        | C1    | Open        | 03-15, 7200      |                | repeats merged #8             |
|10 | 03-20 09:00    | B        | K     | Waiting     | none, due passed |                | paused, contact only          |
|11 | 03-22 09:00    | B        | K     | Open        | none             |                | no SLA policy; repeats #10    |
"""

from dataclasses import replace
from datetime import date, datetime
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase

from support_center.kpi import cards, measures, queries, replies, reports
from support_center.kpi.customer import customer_support_summary
from support_center.kpi.measures import Period, TicketFacts
from support_center.kpi.queries import KpiFilters
from support_center.tests.factories import (
	make_category,
	make_contact,
	make_customer,
	make_ticket,
	make_user,
	unique,
)

NOW = datetime(2024, 4, 15, 12, 0)
PERIOD = Period.of_dates(date(2024, 3, 1), date(2024, 3, 31))


def d(text: str) -> datetime:
	return datetime.fromisoformat("2024-" + text)


def build_desk(test) -> frappe._dict:
	"""The tickets of the table above; returns names and the filters that isolate them."""
	x = make_user(["Support Team"])
	y = make_user(["Support Team"])
	team = frappe.get_doc(
		{
			"doctype": "User Group",
			"name": unique("KPI Team"),
			"user_group_members": [{"user": x}, {"user": y}],
		}
	).insert(ignore_permissions=True)
	cat_a = make_category()
	cat_a1 = make_category(parent_support_category=cat_a)
	cat_b = make_category()
	frappe.db.set_value("Support Category", cat_a, "is_group", 1)
	c1, c2 = make_customer(), make_customer()
	k = make_contact()
	policy = frappe.get_doc(
		{
			"doctype": "SLA Policy",
			"policy_name": unique("KPI Policy"),
			"targets": [
				{
					"priority": None,
					"first_response_time": 3600,
					"next_response_time": 3600,
					"resolution_time": 28800,
				}
			],
		}
	).insert(ignore_permissions=True)
	spec = {
		1: dict(
			created=d("03-05 10:00"),
			category=cat_a,
			customer=c1,
			status="Closed",
			channel="Email",
			first_responded_on=d("03-05 11:00"),
			first_response_time=3600,
			resolved_on=d("03-05 15:00"),
			resolution_time=18000,
			feedback_rating=1.0,
			feedback_submitted_on=d("03-06 09:00"),
			loyalty_score=10,
			loyalty_answered_on=d("03-06 09:00"),
			customer_voice="Suggestion",
		),
		2: dict(
			created=d("03-06 09:00"),
			category=cat_a1,
			customer=c1,
			status="Resolved",
			channel="Portal",
			first_responded_on=d("03-06 13:00"),
			first_response_time=7200,
			resolved_on=d("03-08 10:00"),
			resolution_time=36000,
			feedback_rating=0.8,
			feedback_submitted_on=d("03-09 09:00"),
			loyalty_score=8,
			loyalty_answered_on=d("03-09 09:00"),
			customer_voice="Bug Report",
		),
		3: dict(
			created=d("03-07 09:00"),
			category=cat_a,
			customer=c1,
			status="Closed",
			channel="Email",
			first_responded_on=d("03-07 10:00"),
			first_response_time=1800,
			resolved_on=d("03-20 10:00"),
			resolution_time=20000,
			reopen_count=1,
			feedback_rating=0.4,
			feedback_submitted_on=d("03-21 09:00"),
			loyalty_score=3,
			loyalty_answered_on=d("03-21 09:00"),
			customer_voice="Complaint",
		),
		4: dict(
			created=d("03-10 09:00"),
			category=cat_b,
			customer=c2,
			status="Open",
			channel="Phone",
			response_due=d("03-10 10:00"),
			sla_status="Breached",
			sla_breached_on=d("03-10 10:00"),
		),
		5: dict(
			created=d("02-25 09:00"),
			category=cat_b,
			customer=c2,
			status="Resolved",
			channel="Email",
			first_responded_on=d("02-25 10:00"),
			first_response_time=900,
			resolved_on=d("03-02 10:00"),
			resolution_time=10000,
			customer_voice="Complaint",
		),
		6: dict(
			created=d("03-31 23:30"),
			category=cat_b,
			customer=c2,
			status="Waiting on Customer",
			channel="Email",
			first_responded_on=d("03-31 23:40"),
			first_response_time=600,
			sla_status="Paused",
		),
		7: dict(
			created=d("04-01 00:00"),
			category=cat_b,
			customer=c2,
			status="Open",
			channel="Email",
			feedback_rating=0.2,
			feedback_submitted_on=d("04-02 09:00"),
			customer_voice="Suggestion",
		),
		8: dict(
			created=d("03-12 09:00"),
			category=cat_a,
			customer=c1,
			status="Closed",
			channel="Email",
			resolved_on=d("03-12 10:00"),
		),
		9: dict(
			created=d("03-15 10:00"),
			category=cat_a,
			customer=c1,
			status="Open",
			channel="Email",
			first_responded_on=d("03-15 12:00"),
			first_response_time=7200,
			loyalty_score=9,
			loyalty_answered_on=d("03-16 09:00"),
		),
		10: dict(
			created=d("03-20 09:00"),
			category=cat_b,
			contact=k,
			status="Waiting on Customer",
			channel="Messenger",
			response_due=d("03-20 10:00"),
			sla_status="Paused",
		),
		11: dict(created=d("03-22 09:00"), category=cat_b, contact=k, status="Open", channel="Messenger"),
	}
	names = {}
	for number in spec:
		ticket = frappe.get_doc({"doctype": "Ticket", "subject": unique(f"KPI {number}")}).insert(
			ignore_permissions=True
		)
		names[number] = str(ticket.name)
	for number, values in spec.items():
		values = dict(values)
		created = values.pop("created")
		row = {
			"creation": created,
			"team": team.name,
			"priority": "Medium",
			"sla_policy": None if number == 11 else policy.name,
			"customer": None,
			"contact": None,
			"first_responded_on": None,
			"resolved_on": None,
			"first_response_time": None,
			"resolution_time": None,
			"response_due": None,
			"sla_status": "",
			"sla_breached_on": None,
			"reopen_count": 0,
			"merged_into": names[3] if number == 8 else None,
			**values,
		}
		frappe.db.set_value("Ticket", names[number], row, update_modified=False)
	frappe.db.delete("ToDo", {"reference_type": "Ticket", "reference_name": ("in", list(names.values()))})
	for number, agent in {1: x, 2: x, 5: x, 9: x, 3: y, 4: y}.items():
		todo = frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": agent,
				"reference_type": "Ticket",
				"reference_name": names[number],
				"status": "Closed" if spec[number]["status"] in ("Resolved", "Closed") else "Open",
				"description": "kpi",
			}
		)
		todo.db_insert()
	frappe.db.delete(
		"Communication", {"reference_doctype": "Ticket", "reference_name": ("in", list(names.values()))}
	)

	def message(number, sender, when, sent=True, internal=False):
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": "Sent" if sent else "Received",
				"subject": "kpi",
				"content": "kpi",
				"sender": sender,
				"communication_date": when,
				"reference_doctype": "Ticket",
				"reference_name": names[number],
				"support_internal": 1 if internal else 0,
			}
		).db_insert()

	message(1, x, d("03-05 11:00"))
	message(2, x, d("03-06 13:00"))
	message(2, x, d("03-07 13:00"))
	message(2, x, d("03-07 14:00"), internal=True)
	message(2, "customer@example.com", d("03-07 09:00"), sent=False)
	message(3, y, d("03-07 10:00"))
	message(5, x, d("02-25 10:00"))
	message(6, y, d("03-31 23:40"))
	message(9, x, d("03-15 12:00"))
	# The messages went in without the ORM's hooks: count the tickets' public replies as sending them does.
	replies.recount(names.values())
	filters = KpiFilters(period=PERIOD, team=team.name, now=NOW)
	return frappe._dict(
		names=names,
		spec=spec,
		x=x,
		y=y,
		team=team.name,
		a=cat_a,
		a1=cat_a1,
		b=cat_b,
		c1=c1,
		c2=c2,
		k=k,
		policy=policy.name,
		filters=filters,
	)


def facts(desk) -> list[TicketFacts]:
	"""The same tickets as the definitions in ``measures`` read them."""
	replies = {1: 1, 2: 2, 3: 1, 5: 1, 6: 1, 9: 1}
	result = []
	for number, values in desk.spec.items():
		policy = number != 11
		result.append(
			TicketFacts(
				name=desk.names[number],
				created=values["created"],
				status=values["status"],
				party=values.get("customer") or values.get("contact"),
				category=values["category"],
				first_responded_on=values.get("first_responded_on"),
				resolved_on=values.get("resolved_on"),
				first_response_seconds=values.get("first_response_time"),
				resolution_seconds=values.get("resolution_time"),
				public_replies=replies.get(number, 0),
				reopen_count=values.get("reopen_count", 0),
				merged_into=desk.names[3] if number == 8 else None,
				sla_status=values.get("sla_status"),
				response_due=values.get("response_due"),
				first_response_target=3600.0 if policy else None,
				resolution_target=28800.0 if policy else None,
				rating=values.get("feedback_rating"),
				rated_on=values.get("feedback_submitted_on"),
				loyalty_score=values.get("loyalty_score"),
				loyalty_answered_on=values.get("loyalty_answered_on"),
			)
		)
	return result


def total(tallies: dict, name: str) -> int:
	return sum(int(row.get(name) or 0) for row in tallies.values())


class TestKpiMeasures(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		self.desk = build_desk(self)
		self.f = self.desk.filters

	def test_volume_speed_and_first_contact_resolution(self):
		volume = queries.volume(self.f)
		self.assertEqual(total(volume, "new"), 8)  # 1-4, 6, 9-11: not #5 (before), #7 (after), #8 (merged)
		self.assertEqual(total(volume, "resolved"), 4)  # 1, 2, 3, 5
		self.assertEqual(total(volume, "open_now"), 6)  # 4, 6, 9, 10, 11 and April's 7: open now
		self.assertEqual(total(volume, "backlog"), 5)  # open at the period's end: not 7
		self.assertEqual(total(volume, "waiting"), 4)  # 4, 7, 10, 11: never answered, 3+ days before now
		self.assertEqual(total(volume, "breached_now"), 1)
		self.assertEqual(total(volume, "fcr"), 2)  # 1 and 5; 2 has two replies, 3 was reopened
		self.assertEqual(total(volume, "reopened"), 1)
		# C1, C2 and the contact K; per category C1 counts twice (A and A1), overall once.
		self.assertEqual(total(volume, "customers"), 4)
		self.assertEqual(queries.customers_who_wrote(self.f), 3)
		self.assertEqual(measures.rate(total(volume, "fcr"), total(volume, "resolved")), 50.0)
		self.assertEqual(measures.rate(total(volume, "reopened"), total(volume, "resolved")), 25.0)
		# 600, 1800, 3600, 7200, 7200 (first answers in March); #5 was answered in February.
		self.assertEqual(queries.overall_percentiles(self.f, "first_response"), (3600.0, 7200.0, 5))
		self.assertEqual(queries.overall_percentiles(self.f, "resolution"), (18000.0, 36000.0, 4))
		# The database's PERCENTILE_DISC is the definition's nearest-rank percentile, per group too.
		for kind in ("first_response", "resolution"):
			grouped = queries.durations(self.f, kind)
			self.assertEqual(queries.overall_percentiles(self.f, kind), queries.overall(grouped))
			self.assertEqual(
				queries.percentiles(self.f, kind),
				{key: queries.overall({key: values}) for key, values in grouped.items()},
			)
			# The reports ask for both in one query.
			self.assertEqual(
				queries.percentiles_and_overall(self.f, kind),
				(queries.percentiles(self.f, kind), queries.overall_percentiles(self.f, kind)),
			)
			# Partitioned by the keys' checksums or by the keys themselves: the same figures.
			for grouping in (self.f, replace(self.f, group_by="Agent"), replace(self.f, group_by="Channel")):
				overall = grouping.group_by != "Agent"

				def figures(rows, overall=overall):
					groups = rows[:-1] if overall else rows
					result = {row.grp: (row.median, row.p90, row.n) for row in groups}
					if overall:
						result["(all)"] = (rows[-1].all_median, rows[-1].all_p90, rows[-1].all_n)
					return result

				self.assertEqual(
					figures(queries._ranked(grouping, kind, overall)),
					figures(queries._ranked(grouping, kind, overall, by_text=True)),
				)
		# Keys the collation deems equal, or two keys in one partition, send the query back to the text.
		row = frappe._dict
		self.assertTrue(
			queries._distinct_keys([row(grp="Email", grp_last="Email"), row(grp=None, grp_last=None)])
		)
		self.assertFalse(queries._distinct_keys([row(grp="Email", grp_last="Phone")]))
		self.assertFalse(
			queries._distinct_keys([row(grp="Café", grp_last="Café"), row(grp="CAFE ", grp_last="CAFE ")])
		)
		self.assertEqual(
			sum(queries.repeat_counts(self.f).values()), 3
		)  # 3 (after 1), 9 (after merged 8), 11
		# The cards' own queries: now, whatever the period (#7 of April is open and unanswered too).
		self.assertEqual(queries.snapshot(self.f), {"open_now": 6, "breached_now": 1, "waiting": 4})
		self.assertEqual(queries.resolutions(self.f), {"resolved": 4, "fcr": 2, "reopened": 1})

		# The definitions give the same numbers from the same tickets.
		tickets = facts(self.desk)
		self.assertEqual(sum(measures.is_new_in(t, PERIOD) for t in tickets), 8)
		self.assertEqual(sum(measures.is_resolved_in(t, PERIOD) for t in tickets), 4)
		self.assertEqual(sum(measures.is_open_at(t, PERIOD.end) for t in tickets), 5)
		self.assertEqual(sum(measures.is_waiting_too_long(t, NOW) for t in tickets), 4)
		fcr = [
			t
			for t in tickets
			if measures.is_resolved_in(t, PERIOD) and measures.is_first_contact_resolution(t)
		]
		self.assertEqual(len(fcr), 2)
		answered = [
			t.first_response_seconds
			for t in tickets
			if measures.is_counted(t) and t.first_responded_on in PERIOD
		]
		self.assertEqual((measures.median(answered), measures.p90(answered)), (3600, 7200))
		resolved = [t.resolution_seconds for t in tickets if measures.is_resolved_in(t, PERIOD)]
		self.assertEqual((measures.median(resolved), measures.p90(resolved)), (18000, 36000))
		repeats = measures.repeat_contacts(tickets, PERIOD)
		self.assertEqual(repeats, {self.desk.names[3], self.desk.names[9], self.desk.names[11]})
		self.assertEqual(len({t.party for t in tickets if t.party and measures.is_new_in(t, PERIOD)}), 3)
		# Repeat contacts and customers are counted in SQL (a window over customer and category): the same
		# as the definition on the same rows, whatever the grouping and filters.
		for grouping in (
			self.f,
			replace(self.f, group_by="Channel"),
			replace(self.f, group_by="Agent"),
			replace(self.f, group_by="Customer"),
			replace(self.f, customer=self.desk.c1),
			replace(self.f, category=self.desk.a),
		):
			self.assertEqual(
				queries.repeat_counts(grouping), queries.repeat_counts_by_definition(grouping), grouping
			)

	def test_grouping_and_filters(self):
		by_category = queries.volume(self.f)
		self.assertEqual(int(by_category[self.desk.a].new), 3)  # 1, 3, 9
		self.assertEqual(int(by_category[self.desk.a1].new), 1)
		self.assertEqual(int(by_category[self.desk.b].new), 4)  # 4, 6, 10, 11
		first = queries.percentiles(self.f, "first_response")
		self.assertEqual(first[self.desk.a], (3600.0, 7200.0, 3))
		# A category includes its subcategories.
		subtree = replace(self.f, category=self.desk.a)
		self.assertEqual(total(queries.volume(subtree), "new"), 4)
		self.assertEqual(total(queries.volume(replace(self.f, agent=self.desk.y)), "new"), 2)
		self.assertEqual(total(queries.volume(replace(self.f, customer=self.desk.c2)), "new"), 2)  # 4, 6
		self.assertEqual(total(queries.volume(replace(self.f, channel="Messenger")), "new"), 2)
		by_channel = queries.volume(replace(self.f, group_by="Channel"))
		self.assertEqual(int(by_channel["Email"].new), 4)  # 1, 3, 6, 9
		by_agent = queries.volume(replace(self.f, group_by="Agent"))
		self.assertEqual(int(by_agent[self.desk.x].new), 3)  # 1, 2, 9
		self.assertEqual(int(by_agent[self.desk.y].fcr), 0)
		self.assertEqual(int(by_agent[self.desk.x].fcr), 2)  # 1 and 5

	def test_sla_breach_rates_with_pauses(self):
		sla = queries.sla(self.f)
		# First responses due: the 7 tickets opened in March with a policy (#11 has none).
		self.assertEqual(total(sla, "response_targets"), 7)
		# Late: 2 and 9 answered after 2 h; 4 unanswered past its deadline; 10 is paused, so not late.
		self.assertEqual(total(sla, "response_late"), 3)
		self.assertEqual(total(sla, "resolution_targets"), 4)
		self.assertEqual(total(sla, "resolution_late"), 1)  # #2: 10 business hours for an 8 h target
		self.assertEqual(total(sla, "breached_now"), 1)
		self.assertEqual(total(sla, "paused_now"), 2)
		tickets = facts(self.desk)
		late = [measures.first_response_late(t, NOW) for t in tickets if measures.is_new_in(t, PERIOD)]
		self.assertEqual((late.count(True), late.count(True) + late.count(False)), (3, 7))
		resolution = [measures.resolution_late(t) for t in tickets if measures.is_resolved_in(t, PERIOD)]
		self.assertEqual(resolution.count(True), 1)

	def test_satisfaction_and_loyalty(self):
		stars = queries.ratings(self.f)
		histogram = {}
		for counts in stars.values():
			for star, count in counts.items():
				histogram[star] = histogram.get(star, 0) + count
		self.assertEqual(histogram, {5: 1, 4: 1, 2: 1})  # #7's rating came in April
		self.assertEqual(measures.satisfaction(histogram), measures.Satisfaction(3, 3.67, 66.7))
		rated, resolved = map(sum, zip(*queries.survey_responses(self.f).values(), strict=True))
		self.assertEqual((rated, resolved), (3, 4))  # #5 was never rated
		answers = {}
		for counts in queries.loyalty_answers(self.f).values():
			for score, count in counts.items():
				answers[score] = answers.get(score, 0) + count
		self.assertEqual(answers, {10: 1, 9: 1, 8: 1, 3: 1})
		self.assertEqual(measures.loyalty(answers), measures.Loyalty(4, 2, 1, 1, 25.0))

	def test_agent_load_and_replies(self):
		statuses = queries.agent_statuses(self.f)
		self.assertEqual(statuses[self.desk.x], {"open_now": 1, "Closed": 1, "Resolved": 1, "Open": 1})
		self.assertEqual(statuses[self.desk.y], {"open_now": 1, "Closed": 1, "Open": 1})
		replies = queries.replies_by_agent(self.f)
		# x: #1, two on #2 and #9 (the internal one and #5's February reply do not count); y: #3 and #6.
		self.assertEqual((replies.get(self.desk.x), replies.get(self.desk.y)), (4, 2))
		self.assertEqual(measures.per_day(4, PERIOD), 0.13)
		# Agent Performance reads them all in one pass: the same figures as the queries one by one.
		by_agent = replace(self.f, group_by="Agent")
		load = queries.agent_load(by_agent)
		resolved = queries.resolved_by_group(by_agent)
		stars = queries.ratings(by_agent)
		first = queries.percentiles(by_agent, "first_response")
		for agent in (self.desk.x, self.desk.y):
			self.assertEqual(load[agent]["open_now"], statuses[agent]["open_now"])
			for status in queries.AGENT_STATUSES:
				self.assertEqual(load[agent][status], statuses[agent].get(status, 0), (agent, status))
			self.assertEqual(load[agent]["resolved"], resolved[agent].resolved)
			self.assertEqual(load[agent]["fcr"], resolved[agent].fcr)
			self.assertEqual(load[agent]["stars"], stars.get(agent, {}))
			self.assertEqual(
				load[agent]["median_first_response"], first[agent][0] if agent in first else None
			)
		self.assertEqual(load[self.desk.x]["median_first_response"], 7200.0)  # rank 2 of 3600, 7200, 7200
		self.assertEqual(queries.agent_load(replace(by_agent, agent=self.desk.y)).keys(), {self.desk.y})

	def test_backlog_series_and_voice_of_the_customer(self):
		points = queries.series(replace(self.f, interval="Monthly"))
		self.assertEqual(points, [{"bucket": date(2024, 3, 1), "new": 8, "resolved": 4, "backlog": 5}])
		weekly = queries.series(replace(self.f, interval="Weekly"))
		self.assertEqual(weekly[0]["bucket"], date(2024, 2, 26))
		self.assertEqual(weekly[-1]["backlog"], 5)
		self.assertEqual(sum(point["new"] for point in weekly), 8)
		# Ticket Analytics counts the backlog at the start on its way through the groups' tallies.
		for grouping in (self.f, replace(self.f, group_by="Channel")):
			chart = {}
			queries.volume(grouping, None, chart)
			self.assertEqual(chart["backlog_start"], 1)  # #5, open at the period's start
			self.assertEqual(queries.series(grouping, chart), queries.series(grouping))
		voice = queries.voice(self.f)
		# #5 was opened in February, #7 in April.
		self.assertEqual(sorted(row.voice for row in voice), ["Bug Report", "Complaint", "Suggestion"])

	def test_knowledge_base_deflection_and_helpfulness(self):
		if not frappe.db.table_exists("KB Deflection"):
			self.fail("the knowledge base's deflection log (issue 11) is missing")
		period = replace(self.f, period=Period.of_dates(date(2023, 1, 1), date(2023, 1, 31)))
		before = queries.knowledge_base(period)
		rows = [
			("KB Deflection", {"outcome": "Solved", "deflected": 1}, "2023-01-02 10:00:00"),
			("KB Deflection", {"outcome": "Opened", "deflected": 1}, "2023-01-31 23:59:00"),
			("KB Deflection", {"outcome": "Ticket Filed", "deflected": 0}, "2023-01-15 10:00:00"),
			("KB Deflection", {"outcome": "Solved", "deflected": 1}, "2023-02-01 00:00:00"),  # after
			("KB Feedback", {"helpful": 1}, "2023-01-10 10:00:00"),
			("KB Feedback", {"helpful": 1}, "2023-01-11 10:00:00"),
			("KB Feedback", {"helpful": 1}, "2023-01-12 10:00:00"),
			("KB Feedback", {"helpful": 0}, "2023-01-13 10:00:00"),
		]
		for doctype, values, created in rows:
			doc = frappe.get_doc({"doctype": doctype, "article": "KPI test article", **values})
			doc.name = frappe.generate_hash(length=12)
			doc.creation = doc.modified = created
			doc.db_insert()
		after = queries.knowledge_base(period)
		added = {key: after[key] - before[key] for key in after}
		self.assertEqual(added, {"deflected": 2, "filed": 1, "helpful": 3, "not_helpful": 1})
		self.assertEqual(measures.deflection_rate(2, 1), 66.7)
		self.assertEqual(measures.helpfulness(3, 1), 75.0)

	def test_period_boundaries_follow_the_site_time_zone_whatever_the_user_zone(self):
		frappe.db.set_value("User", self.desk.x, "time_zone", "Asia/Tokyo")
		frappe.set_user(self.desk.x)
		try:
			last_day = replace(self.f, period=Period.of_dates(date(2024, 3, 31), date(2024, 3, 31)))
			self.assertEqual(total(queries.volume(last_day), "new"), 1)  # #6 at 23:30, not #7 at 00:00
			first_day = replace(self.f, period=Period.of_dates(date(2024, 4, 1), date(2024, 4, 1)))
			self.assertEqual(total(queries.volume(first_day), "new"), 1)
		finally:
			frappe.set_user("Administrator")


class TestPublicReplyCount(FrappeTestCase):
	"""``Ticket.public_reply_count`` (kpi/replies.py), which first-contact resolution reads, follows the
	ticket's Communications however they change."""

	def reply(self, ticket, sent: bool = True, **values):
		return frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": "Sent" if sent else "Received",
				"subject": f"Re: {ticket.subject}",
				"content": "kpi",
				"sender": "Administrator" if sent else "customer@example.com",
				"recipients": ticket.raised_by,
				"reference_doctype": "Ticket",
				"reference_name": ticket.name,
				**values,
			}
		).insert(ignore_permissions=True)

	def count(self, ticket) -> int:
		return frappe.db.get_value("Ticket", ticket.name, "public_reply_count")

	def test_sent_marked_moved_deleted_and_merged(self):
		from support_center.conversation.merge import merge

		ticket = make_ticket(raised_by="kpi-customer@example.com")
		self.assertEqual(self.count(ticket), 0)
		first = self.reply(ticket)
		self.reply(ticket, sent=False)  # the customer's message is no reply
		self.assertEqual(self.count(ticket), 1)
		second = self.reply(ticket)
		self.assertEqual(self.count(ticket), 2)
		# A copy loaded before the replies (its count still 0), saved after them, keeps the database's count.
		copy = frappe.get_doc("Ticket", ticket.name)
		copy.public_reply_count = 0
		copy.description = "edited"
		copy.save(ignore_permissions=True)
		self.assertEqual(self.count(ticket), 2)
		# Marked internal afterwards: no longer a public reply.
		second.support_internal = 1
		second.save(ignore_permissions=True)
		self.assertEqual(self.count(ticket), 1)
		# Deleted: gone from the count.
		first.delete(ignore_permissions=True)
		self.assertEqual(self.count(ticket), 0)
		# Merged: the replies move to the target with the messages.
		source = make_ticket(raised_by="kpi-customer@example.com")
		self.reply(source)
		target = make_ticket(raised_by="kpi-customer@example.com")
		merge(frappe.get_doc("Ticket", source.name), frappe.get_doc("Ticket", target.name))
		self.assertEqual((self.count(source), self.count(target)), (0, 1))
		# The patch counts existing tickets the same way.
		frappe.db.set_value("Ticket", target.name, "public_reply_count", 0, update_modified=False)
		from support_center.kpi.patches import backfill_public_reply_count

		backfill_public_reply_count.execute()
		self.assertEqual(self.count(target), 1)


class TestKpiReports(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		self.desk = build_desk(self)
		self.filters = {"from_date": "2024-03-01", "to_date": "2024-03-31", "team": self.desk.team}

	def test_every_report_returns_rows_a_chart_and_exact_totals(self):
		columns, rows, _message, chart, summary = reports.ticket_analytics(self.filters)
		self.assertEqual(columns[6]["fieldtype"], "Duration")  # business seconds, shown as 1h 0m
		total_row = rows[-1]
		self.assertEqual(total_row["group"], "Total")
		self.assertEqual(
			{
				key: total_row[key]
				for key in ("new", "resolved", "fcr_rate", "reopen_rate", "repeats", "repeat_rate")
			},
			{
				"new": 8,
				"resolved": 4,
				"fcr_rate": 50.0,
				"reopen_rate": 25.0,
				"repeats": 3,
				"repeat_rate": 37.5,
			},
		)
		self.assertEqual(total_row["median_first_response"], 3600.0)
		self.assertEqual(total_row["per_customer"], 2.67)
		self.assertEqual(len(chart["data"]["datasets"]), 3)
		self.assertEqual(sum(chart["data"]["datasets"][0]["values"]), 8)  # new, from the rows fetched once
		self.assertEqual(sum(chart["data"]["datasets"][1]["values"]), 4)
		self.assertEqual(chart["data"]["datasets"][2]["values"][-1], 5)  # the backlog at the end
		by_agent = reports.ticket_analytics({**self.filters, "group_by": "Agent"})
		self.assertEqual(sum(by_agent[3]["data"]["datasets"][0]["values"]), 8)
		self.assertTrue(summary)

		_columns, rows, _message, _chart, summary = reports.sla_compliance(self.filters)
		self.assertEqual(sum(row["response_late"] for row in rows), 3)
		self.assertEqual(summary[1]["value"], 42.9)
		self.assertEqual(summary[2]["value"], 25.0)

		_columns, rows, _message, _chart = reports.agent_performance(self.filters)
		by_agent = {row["group"]: row for row in rows}
		self.assertEqual(by_agent[self.desk.x]["replies"], 4)
		self.assertEqual(by_agent[self.desk.x]["replies_per_day"], 0.13)
		self.assertEqual(by_agent[self.desk.x]["fcr_rate"], 66.7)  # 1 and 5 of 1, 2 and 5
		self.assertEqual(by_agent[self.desk.x]["average_rating"], 4.5)  # 5 and 4 stars
		self.assertEqual(by_agent[self.desk.y]["open_now"], 1)

		_columns, rows, _message, chart, summary = reports.customer_satisfaction(self.filters)
		self.assertEqual(rows[-1]["loyalty_score"], 25.0)
		self.assertEqual(rows[-1]["response_rate"], 75.0)
		self.assertEqual(chart["data"]["datasets"][0]["values"], [0, 1, 0, 1, 1])

		_columns, rows, _message, chart, summary = reports.customer_feedback(self.filters)
		self.assertEqual(len(rows), 3)
		self.assertEqual({row["month"] for row in rows}, {"2024-03"})
		only = reports.customer_feedback({**self.filters, "customer_voice": "Complaint"})[1]
		self.assertEqual([row["ticket"] for row in only], [int(self.desk.names[3])])

	def test_bad_filters_get_a_clear_error(self):
		with self.assertRaises(frappe.ValidationError):
			reports.ticket_analytics({"from_date": "2024-04-01", "to_date": "2024-03-01"})
		with self.assertRaises(frappe.ValidationError):
			reports.ticket_analytics({**self.filters, "group_by": "name; drop table x"})

	def test_reports_run_through_frappe_and_auto_email_report(self):
		from frappe.desk.query_report import run

		result = run("Ticket Analytics", filters=self.filters, ignore_prepared_report=True)
		self.assertEqual(result["result"][-1]["new"], 8)
		self.assertTrue(result["chart"])
		for name in ("SLA Compliance", "Agent Performance", "Customer Satisfaction", "Customer Feedback"):
			self.assertTrue(run(name, filters=self.filters, ignore_prepared_report=True)["result"], name)
		auto = frappe.get_doc(
			{
				"doctype": "Auto Email Report",
				"report": "Customer Feedback",
				"user": "Administrator",
				"enabled": 1,
				"email_to": "manager@example.com",
				"frequency": "Weekly",
				"day_of_week": "Monday",
				"format": "HTML",
				"filters": frappe.as_json(self.filters),
			}
		)
		auto.insert(ignore_permissions=True)
		html = auto.get_report_content()
		self.assertIn("Complaint", html)
		self.assertIn("2024-03", html)

	def test_customers_cannot_run_kpis_and_agents_see_only_what_they_may(self):
		customer_user = make_user(["Customer"], "Website User")
		frappe.set_user(customer_user)
		try:
			with self.assertRaises(frappe.PermissionError):
				reports.ticket_analytics(self.filters)
			with self.assertRaises(frappe.PermissionError):
				cards.open_tickets()
		finally:
			frappe.set_user("Administrator")
		# An agent restricted to one customer by a User Permission counts only that customer's tickets.
		frappe.get_doc(
			{
				"doctype": "User Permission",
				"user": self.desk.y,
				"allow": "Customer",
				"for_value": self.desk.c2,
			}
		).insert(ignore_permissions=True)
		frappe.set_user(self.desk.y)
		try:
			rows = reports.ticket_analytics(self.filters)[1]
			# 4 and 6 of C2, and 10 and 11 that have no customer: Frappe's user permissions let records
			# with an empty link through unless "Apply Strict User Permissions" is set.
			self.assertEqual(rows[-1]["new"], 4)
			frappe.db.set_single_value("System Settings", "apply_strict_user_permissions", 1)
			frappe.clear_cache(user=self.desk.y)
			self.assertEqual(reports.ticket_analytics(self.filters)[1][-1]["new"], 2)
		finally:
			frappe.set_user("Administrator")

	def test_cards_and_the_customer_summary(self):
		value = cards.open_tickets()
		self.assertEqual(value["fieldtype"], "Int")
		self.assertGreaterEqual(value["value"], 5)
		self.assertEqual(value["route"], ["query-report", "Ticket Analytics"])
		for method, _color in cards.CARDS.values():
			result = method()
			self.assertTrue(result == "No data" or "value" in result, result)
		summary = customer_support_summary(self.desk.c1)
		# C1: 1, 2, 3, 9 (8 is merged); open: 9; ratings 5, 4, 2; last contact: #9's reply on 03-15.
		self.assertEqual(
			{key: summary[key] for key in ("tickets", "open_tickets", "average_rating", "ratings")},
			{"tickets": 4, "open_tickets": 1, "average_rating": 3.67, "ratings": 3},
		)
		self.assertEqual(summary["last_contact"], d("03-15 12:00"))


class TestKpiOnReplica(FrappeTestCase):
	"""With ``read_from_replica`` the reports read through a second connection (here: to the same database,
	which sees only committed rows, as a real replica would)."""

	def test_reports_and_cards_read_from_the_replica(self):
		frappe.set_user("Administrator")
		desk = build_desk(self)
		frappe.db.commit()  # nosemgrep: the second connection sees only committed rows
		conf = frappe.local.conf
		used = []
		original_connect = frappe.connect_replica

		def spy():
			switched = original_connect()
			replica = frappe.local.db
			original_sql = replica.sql

			def counting_sql(*args, **kwargs):
				used.append(args[0])
				return original_sql(*args, **kwargs)

			replica.sql = counting_sql
			return switched

		try:
			with patch.dict(conf, {"read_from_replica": 1, "replica_host": conf.db_host or "127.0.0.1"}):
				with patch.object(frappe, "connect_replica", spy):
					primary = frappe.local.db
					filters = {"from_date": "2024-03-01", "to_date": "2024-03-31", "team": desk.team}
					rows = reports.ticket_analytics(filters)[1]
					self.assertEqual(rows[-1]["new"], 8)
					self.assertIs(frappe.local.db, primary)
					self.assertTrue(used)
					before = len(used)
					# A second call in the same request reads from the replica again.
					cards.breached_now()
					self.assertGreater(len(used), before)
					self.assertIs(frappe.local.db, primary)
		finally:
			for attribute in ("primary_db", "replica_db"):
				if hasattr(frappe.local, attribute):
					delattr(frappe.local, attribute)
			names = list(desk.names.values())
			frappe.db.delete(
				"Communication", {"reference_doctype": "Ticket", "reference_name": ("in", names)}
			)
			frappe.db.delete("ToDo", {"reference_type": "Ticket", "reference_name": ("in", names)})
			frappe.db.delete("Ticket", {"name": ("in", names)})
			frappe.db.commit()  # nosemgrep: undo the committed test data


class TestKpiBenchmark(FrappeTestCase):
	def test_the_kpi_figures_measure_every_card_and_report_and_leave_nothing_behind(self):
		from support_center.benchmarks import NAME_BASE
		from support_center.benchmarks.kpi import kpi_figures

		frappe.db.commit()  # nosemgrep: the benchmark commits its own data and removes it
		figures = {figure.name: figure for figure in kpi_figures(300, customers=20, repeats=1)}
		self.assertEqual(figures["kpi_tickets"].value, 300)
		card_figures = [figure for name, figure in figures.items() if name.startswith("kpi_card_")]
		self.assertEqual(len(card_figures), len(cards.CARDS))
		self.assertTrue(all(figure.max_ratio == 10 and figure.reference for figure in card_figures))
		reports_measured = [name for name in figures if name.startswith("kpi_report_")]
		self.assertEqual(len(reports_measured), 6)
		for name in reports_measured:
			self.assertGreater(figures[name].value, 0)
			self.assertEqual(figures[name].max_ratio, 10 if not name.endswith("_year") else None)
		self.assertFalse(frappe.db.exists("Ticket", {"name": (">", NAME_BASE)}))
		self.assertFalse(frappe.db.exists("ToDo", {"name": ("like", "kpi-bench-%")}))
