"""Sharing an amount of minor units out over lines in proportion to their weights, in whole units:
each line gets the floor of its exact share, and the units left go to the largest remainders
(earliest line first on a tie), so the parts add up to exactly the amount. Integer arithmetic
only: ``amount × weight`` divided by the total, quotient and remainder."""

from __future__ import annotations

from collections.abc import Sequence


def share_out(amount: int, weights: Sequence[int]) -> list[int]:
    total = sum(weights)
    if amount == 0 or total == 0:
        return [0] * len(weights)
    if amount > total:
        raise ValueError(f"{amount} is more than the weights' {total}")
    splits = [divmod(amount * weight, total) for weight in weights]
    parts = [quotient for quotient, _ in splits]
    left = amount - sum(parts)
    if left:
        by_remainder = sorted(range(len(weights)), key=lambda index: (-splits[index][1], index))
        for index in by_remainder[:left]:
            parts[index] += 1
    return parts
