"""Messengers and the site chat, built in: one Support Channel record per bot, number or chat.

Each messenger is one module (telegram.py, whatsapp.py, vk.py, chat.py) with a ``Connector`` subclass
(base.py): verify a webhook, parse it into intake messages, send a reply. Everything else is shared:
webhook.py takes webhooks in, delivery.py sends replies with retries, acknowledgement.py answers a first
message in the channel it came from.
"""
