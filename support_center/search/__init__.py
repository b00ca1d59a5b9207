"""Full-text search of tickets and their conversations (see tickets.py)."""
