"""The knowledge base: articles customers find before they ask, in their language, kept current.

Pure modules (no Frappe): tokens (index and query tokens for MariaDB FULLTEXT), ranking, review (dates),
routes (URL scheme), help_pages (route patterns). Modules that use Frappe: access, search, articles,
views, votes, deflection, review_jobs.
"""
