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
@click.option(
	"--open-tickets", default=100_000, show_default=True, help="Open tickets on the site during the run"
)
@click.option("--at-risk", default=5_000, show_default=True, help="Tickets passing their warning point")
@click.option("--breached", default=1_000, show_default=True, help="Tickets passing their deadline")
@pass_context
def benchmark(context, open_tickets, at_risk, breached):
	"""Print performance figures: name, value, reference, ratio, goal."""
	import frappe

	from support_center.benchmark import sla_monitor_figures

	frappe.init(site=get_site(context))
	frappe.connect()
	try:
		figures = sla_monitor_figures(open_tickets, at_risk, breached)
	finally:
		frappe.destroy()
	click.echo(f"{'name':<34} {'value':>12} {'reference':>12} {'ratio':>8}  goal")
	for figure in figures:
		click.echo(figure.line())


commands = [support_center]
