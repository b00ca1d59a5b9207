import sys

import click
from frappe.commands import get_site, pass_context


@click.group("support-center")
def support_center():
	"""Support Center tools."""


@support_center.command("demo")
@click.option("--password", help="Password for the demo users (default: a random one, printed at the end)")
@pass_context
def demo(context, password=None):
	"""Fill the site with a living support desk: customers, agents, topics, articles and tickets."""
	import frappe

	from support_center.demo import create_demo_data, demo_logins

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		summary = create_demo_data(password)
		# A bench command owns its transaction.
		frappe.db.commit()  # nosemgrep
	finally:
		frappe.destroy()
	password = summary.pop("password")
	for label, count in summary.items():
		click.echo(f"{label}: {count}")
	if password:
		click.echo(f"Password of the demo users: {password}")
	else:
		click.echo("The demo users existed already; their passwords are unchanged.")
	click.echo("Demo logins:")
	for role, email in demo_logins():
		click.echo(f"  {email:<45} {role}")
	click.echo("Agents work at /app/support; customers see their tickets at /support/tickets.")


@support_center.command("complete-setup")
@click.option("--company", default="Support Center Demo", show_default=True)
@click.option("--country", default="United States", show_default=True)
@click.option("--currency", default="USD", show_default=True)
@click.option("--timezone", default="America/New_York", show_default=True)
@click.option("--language", default="English", show_default=True)
@pass_context
def complete_setup(context, company, country, currency, timezone, language):
	"""Complete ERPNext's setup wizard (company, country, currency, time zone) unless it is done."""
	import frappe

	from support_center.site_setup import complete_setup_wizard

	frappe.init(site=get_site(context))
	frappe.connect()
	try:
		done_now = complete_setup_wizard(company, country, currency, timezone, language)
		frappe.db.commit()  # nosemgrep
	finally:
		frappe.destroy()
	click.echo("Setup wizard completed." if done_now else "The setup wizard was already complete.")


@support_center.command("benchmark")
@click.option("--tickets", default=100_000, show_default=True, help="Tickets on the site during the run")
@click.option("--customers", default=2_000, show_default=True, help="Customers the tickets belong to")
@click.option("--articles", default=10_000, show_default=True, help="Knowledge-base articles")
@click.option("--repeats", default=5, show_default=True, help="Runs per measured step (median)")
@click.option("--only", default="", help="Comma-separated areas, e.g. sla,portal (default: all)")
@pass_context
def benchmark(context, tickets, customers, articles, repeats, only):
	"""Print performance figures (name, value, reference, ratio, goal); exit 1 when a goal is missed."""
	import frappe

	from support_center.benchmarks import Scale, run

	scale = Scale(tickets=tickets, customers=customers, articles=articles, repeats=repeats)
	frappe.init(site=get_site(context))
	frappe.connect()
	try:
		figures = run(scale, [area.strip() for area in only.split(",") if area.strip()], echo=click.echo)
	except ValueError as error:
		raise click.UsageError(str(error)) from error
	finally:
		frappe.destroy()
	missed = [figure.name for figure in figures if figure.missed]
	if missed:
		click.echo(f"missed goals: {', '.join(missed)}", err=True)
		sys.exit(1)


def _import_options(func):
	"""The options both importers share."""
	for option in reversed(
		[
			click.option("--since", default=None, help="Only records created on or after this date"),
			click.option("--dry-run", is_flag=True, help="Report what would happen; change nothing"),
			click.option("--batch-size", default=500, show_default=True, help="Records per transaction"),
			click.option(
				"--category-parent",
				default=None,
				help="Parent of the categories made for missing types (default: Support Center Settings)",
			),
			click.option(
				"--map-status",
				multiple=True,
				help="Map a status the importer does not know: --map-status 'Escalated=Open' (repeatable)",
			),
		]
	):
		func = option(func)
	return func


def _run_import(context, source, since, dry_run, batch_size, category_parent, map_status):
	import frappe
	from frappe.utils.file_lock import LockTimeoutError

	from support_center.migration.importer import ImportOptions, import_records, parse_since
	from support_center.migration.mapping import parse_status_overrides

	try:
		overrides = parse_status_overrides(map_status)
	except ValueError as error:
		raise click.UsageError(str(error)) from error
	frappe.init(site=get_site(context))
	frappe.connect()
	try:
		options = ImportOptions(
			since=parse_since(since),
			dry_run=dry_run,
			batch_size=batch_size,
			category_parent=category_parent,
			status_overrides=overrides,
		)

		def progress(done, total, report):
			click.echo(f"{done}/{total} read, {report.imported} imported", err=True)

		report = import_records(source, options, progress=progress)
	except (frappe.ValidationError, LockTimeoutError) as error:
		raise click.ClickException(str(error)) from error
	finally:
		frappe.destroy()
	for line in report.lines(max_notes=1000):
		click.echo(line)


@support_center.command("import-issues")
@_import_options
@pass_context
def import_issues(context, since, dry_run, batch_size, category_parent, map_status):
	"""Bring ERPNext Issues over as Tickets, with their messages, notes, files, assignments and SLA facts."""
	_run_import(context, "Issue", since, dry_run, batch_size, category_parent, map_status)


@support_center.command("import-helpdesk")
@_import_options
@pass_context
def import_helpdesk(context, since, dry_run, batch_size, category_parent, map_status):
	"""Bring Frappe Helpdesk tickets (HD Ticket) over as Tickets, the same way."""
	_run_import(context, "HD Ticket", since, dry_run, batch_size, category_parent, map_status)


commands = [support_center]
