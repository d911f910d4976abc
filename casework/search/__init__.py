"""Full-text search over encrypted free text (a keyed token index) and the legal catalogue."""
