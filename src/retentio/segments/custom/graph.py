"""Segments that refer to segments: evaluation order and cycle detection (pure)."""

from __future__ import annotations

from collections.abc import Mapping


class CycleFound(ValueError):
    def __init__(self, cycle: list[str]) -> None:
        super().__init__("segments refer to each other in a cycle: " + " → ".join(cycle))
        self.cycle = cycle


def find_cycle(references: Mapping[str, frozenset[str]]) -> list[str] | None:
    """A cycle as ``[a, b, …, a]``, or None. Names without an entry refer to nothing."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for target in sorted(references.get(name, frozenset())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)) is not None:
                return found
        path.pop()
        state[name] = 2
        return None

    for name in sorted(references):
        if name not in state and (found := visit(name)) is not None:
            return found
    return None


def evaluation_order(references: Mapping[str, frozenset[str]]) -> list[str]:
    """Every segment after the segments it refers to; ties in name order. Raises ``CycleFound``."""
    cycle = find_cycle(references)
    if cycle is not None:
        raise CycleFound(cycle)
    order: list[str] = []
    placed: set[str] = set()

    def place(name: str) -> None:
        if name in placed:
            return
        placed.add(name)
        for target in sorted(references.get(name, frozenset())):
            if target in references:
                place(target)
        order.append(name)

    for name in sorted(references):
        place(name)
    return order
