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

	from support_center.demo import create_demo_data

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		summary = create_demo_data(password)
		frappe.db.commit()
	finally:
		frappe.destroy()
	password = summary.pop("password")
	for label, count in summary.items():
		click.echo(f"{label}: {count}")
	if password:
		click.echo(f"Password of the demo users: {password}")
	else:
		click.echo("The demo users existed already; their passwords are unchanged.")
	click.echo("Agents work at /app/support; customers see their tickets at /support/tickets.")


commands = [support_center]
