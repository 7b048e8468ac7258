"""Personal offers: the recommenders (trained in batch, stored as versioned models, served per
customer and context), replenishment and the occasions that make an offer due, and the offer policy
that decides what, if anything, a customer is offered and how much.

This package is the area's facade: other areas import these names from ``retentio.offers``, never
its modules (``lint-imports`` checks it). Each name loads its module on first use
(``retentio.facade``): training needs NumPy, SciPy and ``implicit``, which reading an offer does not.
"""

from __future__ import annotations

from retentio.facade import load_on_use

__all__: list[str] = []

_EXPORTS: dict[str, list[str]] = {}
__getattr__ = load_on_use(__name__, _EXPORTS)
