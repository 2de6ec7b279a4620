"""Storage: the statistics database (SQLite or PostgreSQL), kept questions, staff accounts and sessions, the
audit log and the reports built from them."""
