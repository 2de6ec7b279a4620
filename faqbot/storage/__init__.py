"""Storage: the statistics database (SQLite or PostgreSQL), kept questions, staff sessions, the audit log,
the staff password and the reports built from them."""
