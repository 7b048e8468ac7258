"""Custom segments (SEG-6): a rule language compiled to SQL, refreshed atomically as a batch and
re-evaluated incrementally for the customers each ingest batch touches. See docs/custom-segments.md.

Other areas import from ``retentio.segments.custom.service`` (and ``.incremental`` for the ingest
reaction); the modules here stay import-light so the schema can load ``tables`` alone.
"""
