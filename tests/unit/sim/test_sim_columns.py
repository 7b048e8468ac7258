"""The two array moves the simulator's vectorised steps are built on."""

from __future__ import annotations

import numpy as np

from retentio.sim.columns import expand, groups


def test_expand_repeats_each_position_by_its_count() -> None:
    # when
    owner, index = expand(np.array([2, 0, 3], dtype=np.int64))

    # then
    assert owner.tolist() == [0, 0, 2, 2, 2]
    assert index.tolist() == [0, 1, 0, 1, 2]


def test_groups_lists_positions_per_key_in_key_order() -> None:
    # when
    found = [(key, rows.tolist()) for key, rows in groups(np.array([5, 3, 5, 3, 9]))]

    # then
    assert found == [(3, [1, 3]), (5, [0, 2]), (9, [4])]


def test_groups_of_nothing_is_nothing() -> None:
    assert list(groups(np.zeros(0, dtype=np.int64))) == []
