"""Ingest: everything that brings facts in — validate, append to the log, fold into orders and
profiles (``pipeline``, ``fold``), the file importers, rebuilding what is derived from the log, and
merging two customers. The log itself (``events``) and the pure folds (``orders.state``,
``customers.profile``) sit below it; consumers of the log (segments and the areas after it) read
what ingest appended."""
