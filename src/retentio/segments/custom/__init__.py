"""Custom segments (SEG-6): a rule language compiled to SQL, refreshed atomically as a batch and
re-evaluated incrementally for the customers each ingest batch touches. See docs/custom-segments.md.

Other areas reach custom segments through the segments facade (``retentio.segments``), which
re-exports what they use of ``service``, ``parse``, ``model``, ``errors``, ``evaluate`` and ``store``.
"""
