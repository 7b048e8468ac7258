"""The points ledger (LOY-7): append-only entries with a source key each, lots with their own
activation and expiry, redemptions that record the lots they used, returns with an explicit debt
policy, and balances cached from the entries. See docs/loyalty.md.

Other areas reach the ledger through the loyalty facade (``retentio.loyalty``)."""
