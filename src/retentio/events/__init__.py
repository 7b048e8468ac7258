"""The way data comes in: the event envelope and types, validation, deduplication, identity, importers."""
