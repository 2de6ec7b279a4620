"""Storage: the statistics database, kept questions, the staff password and the reports built from them."""
