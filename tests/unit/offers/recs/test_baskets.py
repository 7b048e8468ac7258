from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest

from retentio.offers.recs.baskets import baskets_from_lines


def test_baskets_are_grouped_by_customer_ordered_by_time_and_hold_each_item_once() -> None:
    # given lines out of order, one product twice in a basket, a basket's lines at two times
    customers = ["b", "a", "a", "b", "a", "a"]
    basket_keys = ["9", "2", "1", "9", "1", "2"]
    placed_at = [500, 300, 100, 510, 100, 290]
    skus = ["milk", "tea", "milk", "bread", "milk", "milk"]

    # when
    baskets = baskets_from_lines(customers, basket_keys, placed_at, skus)

    # then customers and products are indexed in sorted order
    assert baskets.customer_ids == ("a", "b")
    assert baskets.skus == ("bread", "milk", "tea")
    assert baskets.customer.tolist() == [0, 0, 1]
    assert baskets.placed_at.tolist() == [100, 290, 500]
    assert [baskets.basket_items(b).tolist() for b in range(3)] == [[1], [1, 2], [0, 1]]
    assert baskets.offsets.tolist() == [0, 1, 3, 5]


def test_datetimes_and_polars_columns_are_accepted() -> None:
    frame = pl.DataFrame(
        {
            "customer": [1, 1],
            "invoice": [10, 11],
            "at": [datetime(2024, 1, 2, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC)],
            "sku": ["x", "y"],
        }
    )
    baskets = baskets_from_lines(frame["customer"], frame["invoice"], frame["at"], frame["sku"])
    assert baskets.customer_ids == ("1",)
    assert baskets.placed_at.tolist() == [1704067200, 1704153600]
    assert [baskets.basket_items(b).tolist() for b in range(2)] == [[1], [0]]


@pytest.mark.parametrize(
    ("customers", "keys", "placed_at", "skus", "reason"),
    [
        (["a"], ["1", "2"], [1, 2], ["x", "y"], "differ in length"),
        (["a", None], ["1", "2"], [1, 2], ["x", "y"], "customer_id has 1 missing values"),
        (["a", "a"], ["1", "2"], [1, 2], ["x", " "], "sku is blank on 1 lines"),
        (["a", "a"], ["1", "2"], [1.5, 2.0], ["x", "y"], "placed_at must be epoch seconds"),
    ],
)
def test_bad_lines_are_refused_naming_what_is_wrong(
    customers: list[str | None], keys: list[str], placed_at: list[float], skus: list[str], reason: str
) -> None:
    with pytest.raises(ValueError, match=reason):
        baskets_from_lines(customers, keys, np.array(placed_at), skus)


def test_select_keeps_only_the_chosen_baskets_and_their_items() -> None:
    baskets = baskets_from_lines(["a", "a", "a"], ["1", "2", "2"], [1, 2, 2], ["x", "y", "z"])
    kept = baskets.select(np.array([False, True]))
    assert kept.basket_count == 1
    assert kept.basket_items(0).tolist() == [1, 2]
    assert kept.skus == baskets.skus
