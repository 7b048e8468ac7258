"""Sharing an amount of minor units out over lines in proportion to their weights, in whole units:
each line gets the floor of its exact share, and the units left go to the largest remainders
(earliest line first on a tie), so the parts add up to exactly the amount."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction


def share_out(amount: int, weights: Sequence[int]) -> list[int]:
    total = sum(weights)
    if amount == 0 or total == 0:
        return [0] * len(weights)
    if amount > total:
        raise ValueError(f"{amount} is more than the weights' {total}")
    exact = [Fraction(amount * weight, total) for weight in weights]
    parts = [int(part) for part in exact]
    by_remainder = sorted(range(len(weights)), key=lambda index: (parts[index] - exact[index], index))
    for index in by_remainder[: amount - sum(parts)]:
        parts[index] += 1
    return parts
