"""Facades that cost nothing to import: an area's ``__init__`` lists the names it exports and the
module each comes from, and a name's module is imported when the name is first used (PEP 562).

Other areas import only an area's facade (``lint-imports`` checks it), and a command imports only
what it uses (``cli.lazy``). A facade that imported all of its area would undo the second for the
first: the queue's worker half would bring psycopg to ``retentio queue stats``, the importers would
come with ``retentio stats``, the metrics' Polars with ``retentio models``. Loaded on use, every
path imports the same modules it would by reaching into the area. For type checkers and for
``lint-imports`` a facade imports its names plainly, under ``TYPE_CHECKING``;
``tests/unit/test_facade.py`` holds the two lists to each other.

    if TYPE_CHECKING:
        from retentio.orders.state import OrderState, apply_event

    __all__ = ["OrderState", "apply_event"]
    __getattr__ = load_on_use(__name__, {"retentio.orders.state": ["OrderState", "apply_event"]})
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

# ``"name as alias"`` exports ``name`` of its module as ``alias``, as an import statement would.
_AS = " as "


def load_on_use(package: str, exports: Mapping[str, Sequence[str]]) -> Callable[[str], Any]:
    """The module ``__getattr__`` of facade ``package``: ``exports`` maps each module of the area to
    the names the facade takes from it."""
    where = exported_names(exports)

    def attribute(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attribute = where[name]
        return getattr(importlib.import_module(module), attribute)

    return attribute


def exported_names(exports: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, str]]:
    """Each exported name with the module and the attribute it comes from."""
    where: dict[str, tuple[str, str]] = {}
    for module, names in exports.items():
        for entry in names:
            attribute, _, alias = entry.partition(_AS)
            where[alias or attribute] = (module, attribute)
    return where
