"""Gift cards: a code with a balance in one currency, spent in parts, topped up, refunded and
expired; every change an append-only entry, the balance cached beside them. Other areas use
``retentio.loyalty``, the area's facade."""
