"""One trained set of recommenders: every array the serving side needs, and their flat form
(``name → array``) for storage."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from retentio.offers.recs.bought_together import Rules
from retentio.offers.recs.ranked import Ranked

Arrays = dict[str, npt.NDArray[np.generic]]


@dataclass(frozen=True, slots=True)
class TrainedRecs:
    skus: npt.NDArray[np.str_]  # sorted: an item's number is its place here
    customer_ids: npt.NDArray[np.str_]  # sorted: a customer's number is its place here
    categories: npt.NDArray[np.str_]
    item_category: npt.NDArray[np.int64]  # -1: no category
    popularity: npt.NDArray[np.float64]  # baskets holding the item
    rules: Rules
    next: Ranked
    moved_up: Ranked
    # the personal models (customers like you, next basket), by their own array names
    extra: Arrays = field(default_factory=dict)

    def item_of(self, sku: str) -> int:
        """The item's number, -1 when the model does not know the SKU."""
        return _find(self.skus, sku)

    def customer_of(self, customer_id: str) -> int:
        return _find(self.customer_ids, customer_id)

    def to_arrays(self) -> Arrays:
        arrays: Arrays = {
            "skus": self.skus,
            "customer_ids": self.customer_ids,
            "categories": self.categories,
            "item_category": self.item_category,
            "popularity": self.popularity,
            "rules.indptr": self.rules.indptr,
            "rules.consequent": self.rules.consequent,
            "rules.support": self.rules.support,
            "rules.confidence": self.rules.confidence,
            "rules.lift": self.rules.lift,
            "rules.baskets": np.array([self.rules.baskets], dtype=np.int64),
        }
        for name, ranked in (("next", self.next), ("moved_up", self.moved_up)):
            arrays[f"{name}.indptr"] = ranked.indptr
            arrays[f"{name}.item"] = ranked.item
            arrays[f"{name}.score"] = ranked.score
        arrays.update({f"extra.{name}": array for name, array in self.extra.items()})
        return arrays

    @classmethod
    def from_arrays(cls, arrays: Arrays) -> TrainedRecs:
        def ranked(name: str) -> Ranked:
            return Ranked(arrays[f"{name}.indptr"], arrays[f"{name}.item"], arrays[f"{name}.score"])  # type: ignore[arg-type]

        return cls(
            skus=arrays["skus"],  # type: ignore[arg-type]
            customer_ids=arrays["customer_ids"],  # type: ignore[arg-type]
            categories=arrays["categories"],  # type: ignore[arg-type]
            item_category=arrays["item_category"],  # type: ignore[arg-type]
            popularity=arrays["popularity"],  # type: ignore[arg-type]
            rules=Rules(
                arrays["rules.indptr"],  # type: ignore[arg-type]
                arrays["rules.consequent"],  # type: ignore[arg-type]
                arrays["rules.support"],  # type: ignore[arg-type]
                arrays["rules.confidence"],  # type: ignore[arg-type]
                arrays["rules.lift"],  # type: ignore[arg-type]
                int(arrays["rules.baskets"][0]),
            ),
            next=ranked("next"),
            moved_up=ranked("moved_up"),
            extra={name[6:]: array for name, array in arrays.items() if name.startswith("extra.")},
        )

    def sizes(self) -> dict[str, int]:
        return {
            "items": len(self.skus),
            "customers": len(self.customer_ids),
            "rules": len(self.rules.consequent),
            "next": len(self.next.item),
            "moved_up": len(self.moved_up.item),
            "baskets": self.rules.baskets,
        }


def _find(sorted_values: npt.NDArray[np.str_], value: str) -> int:
    at = int(np.searchsorted(sorted_values, value))
    return at if at < len(sorted_values) and sorted_values[at] == value else -1
