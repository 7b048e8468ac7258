"""Customers: profiles, consents, identities, the incremental aggregates and merges."""
