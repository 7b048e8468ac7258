"""Retentio: a self-hosted retention-marketing platform.

Each sub-package owns one area of the product (see docs/architecture.md) and exposes it through its
``__init__``, its facade: ``events`` the log, ``customers`` the records and profiles, ``orders``,
``catalog`` the products, ``segments`` where customers stand, ``ingest`` the way data comes in, and
``api``/``cli`` the shells. ``db``, ``types``, ``config``, ``clock`` and ``facade`` are the shared
foundations.
"""

__version__ = "0.1.0"
