"""Telling the right person: ticket alerts (Notification Log and email, by each user's settings)."""
