"""Segments built on segments: evaluation order and cycles."""

from __future__ import annotations

import pytest

from retentio.segments.custom.graph import CycleFound, evaluation_order, find_cycle


def test_a_segment_comes_after_the_segments_it_refers_to() -> None:
    references = {
        "vip_lapsing": frozenset({"vip", "lapsing"}),
        "vip": frozenset(),
        "lapsing": frozenset({"buyers"}),
        "buyers": frozenset(),
    }
    assert evaluation_order(references) == ["buyers", "lapsing", "vip", "vip_lapsing"]


def test_no_cycle_in_a_tree() -> None:
    assert find_cycle({"a": frozenset({"b", "c"}), "b": frozenset({"c"}), "c": frozenset()}) is None


def test_a_cycle_is_named_in_full() -> None:
    references = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset()}
    assert find_cycle(references) == ["a", "b", "c", "a"]


def test_a_segment_that_refers_to_itself_is_a_cycle() -> None:
    with pytest.raises(CycleFound, match="a → a"):
        evaluation_order({"a": frozenset({"a"})})


def test_references_to_unknown_names_are_ignored_in_the_order() -> None:
    assert evaluation_order({"a": frozenset({"gone"})}) == ["a"]
