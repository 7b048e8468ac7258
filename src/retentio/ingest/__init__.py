"""Ingest: everything that brings facts in — validate, append to the log, fold into orders and
profiles (``pipeline``, ``fold``), the file importers, rebuilding what is derived from the log, and
merging two customers. The log itself (``retentio.events``) and the pure folds (orders' and
customers') sit below it; consumers of the log (segments and the areas after it) read what ingest
appended.

This package is the area's facade: the shells (API, command line, demo) import these names from
``retentio.ingest``, never its modules (``lint-imports`` checks it). Each name loads its module on
first use (``retentio.facade``): a merge, for one, re-decides segments with NumPy, which the API and
the importers do not need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retentio.facade import load_on_use

if TYPE_CHECKING:
    from retentio.ingest.delivery_reports import ingest_delivery_reports
    from retentio.ingest.importers.cdnow import import_cdnow
    from retentio.ingest.importers.customers import import_customers
    from retentio.ingest.importers.feed import ImportContext
    from retentio.ingest.importers.jsonl import import_jsonl
    from retentio.ingest.importers.online_retail import import_online_retail
    from retentio.ingest.importers.orders import import_orders
    from retentio.ingest.importers.products import import_products
    from retentio.ingest.importers.progress import NoProgress, Progress
    from retentio.ingest.importers.report import ImportReport, SourceError, write_problems_csv
    from retentio.ingest.importers.tabular import TableOptions
    from retentio.ingest.merge import MergeOptions, do_merge_customers
    from retentio.ingest.pipeline import (
        BatchTooLarge,
        IngestOptions,
        IngestResult,
        ingest_events,
        ingest_stream,
    )
    from retentio.ingest.rebuild import rebuild_all
    from retentio.ingest.stats import count_store

__all__ = [
    "BatchTooLarge",
    "ImportContext",
    "ImportReport",
    "IngestOptions",
    "IngestResult",
    "MergeOptions",
    "NoProgress",
    "Progress",
    "SourceError",
    "TableOptions",
    "count_store",
    "do_merge_customers",
    "import_cdnow",
    "import_customers",
    "import_jsonl",
    "import_online_retail",
    "import_orders",
    "import_products",
    "ingest_delivery_reports",
    "ingest_events",
    "ingest_stream",
    "rebuild_all",
    "write_problems_csv",
]

_EXPORTS = {
    "retentio.ingest.delivery_reports": ["ingest_delivery_reports"],
    "retentio.ingest.importers.cdnow": ["import_cdnow"],
    "retentio.ingest.importers.customers": ["import_customers"],
    "retentio.ingest.importers.feed": ["ImportContext"],
    "retentio.ingest.importers.jsonl": ["import_jsonl"],
    "retentio.ingest.importers.online_retail": ["import_online_retail"],
    "retentio.ingest.importers.orders": ["import_orders"],
    "retentio.ingest.importers.products": ["import_products"],
    "retentio.ingest.importers.progress": ["NoProgress", "Progress"],
    "retentio.ingest.importers.report": ["ImportReport", "SourceError", "write_problems_csv"],
    "retentio.ingest.importers.tabular": ["TableOptions"],
    "retentio.ingest.merge": ["MergeOptions", "do_merge_customers"],
    "retentio.ingest.pipeline": [
        "BatchTooLarge",
        "IngestOptions",
        "IngestResult",
        "ingest_events",
        "ingest_stream",
    ],
    "retentio.ingest.rebuild": ["rebuild_all"],
    "retentio.ingest.stats": ["count_store"],
}
__getattr__ = load_on_use(__name__, _EXPORTS)
