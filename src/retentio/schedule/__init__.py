"""Due work: one queue of things that must happen at a time (journey steps, message sends, cascade
fallbacks, expiries, nightly jobs), claimed by workers with leases, retried with backoff, and kept
as dead letters when they keep failing.

Other areas add work with ``sql.enqueue`` in their own transaction and declare ``kinds.Kind``s; the
worker (``retentio worker``) fills a ``kinds.Registry`` and runs ``runner.Runner`` through
``serve.serve``. ``memory.MemoryQueue`` stands in for the database in unit tests.
"""
