"""Importers (CDP-5): files in, events and records out, through the same write paths as live data.

Every importer is a small module per format:

- ``jsonl`` — events in the API envelope, one per line (backfills);
- ``customers`` and ``products`` — CSV or Excel rows through ``do_upsert_customer`` and
  ``do_upsert_products``, only the columns present are changed;
- ``orders`` — order lines (CSV or Excel) grouped into orders and sent as order events;
- ``cdnow`` and ``online_retail`` — the two public data sets as ready formats.

Orders always arrive as events (``order_placed``, ``order_paid``, ``order_cancelled``,
``order_returned``) through ``ingest_events``, in batches of at most 10,000, one transaction each.
Event ids are derived from the source (``cdnow:{customer}:{date}:{n}``, ``uci:{invoice}``,
``csv:{source}:{order_id}``), so importing a file again stores nothing new, and an importer killed
half-way and run again stores every event exactly once.

Bad rows never stop an import: each is reported with its line number and reason, skipped and
counted in the ``ImportReport``. A source that cannot be read at all raises ``SourceError``.
"""
