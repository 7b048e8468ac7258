"""Why the next-basket recommender put an item on a customer's list, in numbers a sentence can use:
the chance it is re-bought (an item they buy) or the customer's items it is most like (a new one)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retentio.offers.recs.next_basket import NextBasketModel, customer_history, item_neighbours


@dataclass(frozen=True)
class NextBasketReason:
    item: int
    bought_before: bool
    repeat_chance: float  # the learned chance of being in the next basket; 0 for a new item
    because_of: tuple[int, ...]  # the customer's items that made a new item score, most first
    contributions: tuple[float, ...]  # each one's similarity × its repeat chance
    popular: bool  # nothing of the customer's led to it: it is on the list for selling well now


def next_basket_reason(
    model: NextBasketModel, customer_index: int, item: int, top: int = 3
) -> NextBasketReason:
    history, chances = customer_history(model, customer_index)
    position = np.flatnonzero(history == item)
    if position.size:
        chance = float(chances[position[0]])
        return NextBasketReason(item, True, chance, (), (), popular=False)
    neighbours, similarities, sources = item_neighbours(model.similarity, history)
    hits = neighbours == item
    contributions = similarities[hits] * chances[sources[hits]]
    order = np.argsort(-contributions, kind="stable")[:top]
    return NextBasketReason(
        item=item,
        bought_before=False,
        repeat_chance=0.0,
        because_of=tuple(int(history[source]) for source in sources[hits][order]),
        contributions=tuple(float(value) for value in contributions[order]),
        popular=not bool(hits.any()),
    )
