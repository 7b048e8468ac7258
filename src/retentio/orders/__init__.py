"""Orders and order lines, kept as the state of order events (placed, paid, cancelled, returned)."""
