import io

import numpy as np
import pytest

from retentio.offers.recs.baskets import Baskets, baskets_from_lines
from retentio.offers.recs.next_basket import (
    NextBasketModel,
    NextBasketSettings,
    fit_next_basket,
    next_basket_for,
    next_basket_top,
)
from retentio.offers.recs.reasons import next_basket_reason


def shop(seed: int = 3, customers: int = 40, items: int = 30) -> Baskets:
    """Random baskets; customer "0" always buys exactly "p07" and nothing else."""
    random = np.random.default_rng(seed)
    lines: list[tuple[str, str, int, str]] = []
    for customer in range(1, customers):
        for basket in range(int(random.integers(1, 6))):
            for item in random.choice(items, size=int(random.integers(1, 6)), replace=False):
                lines.append((str(customer), f"{customer}-{basket}", basket * 86_400, f"p{item:02d}"))
    lines += [("0", f"0-{basket}", basket * 86_400, "p07") for basket in range(4)]
    customer_ids, keys, placed_at, skus = zip(*lines, strict=True)
    return baskets_from_lines(customer_ids, keys, placed_at, skus)


def test_a_customer_who_always_buys_the_same_item_gets_it_first() -> None:
    baskets = shop()
    model = fit_next_basket(baskets)
    items, scores, is_repeat = next_basket_for(model, baskets.customer_ids.index("0"), 5)
    assert baskets.skus[items[0]] == "p07"
    assert is_repeat.tolist() == [True, False, False, False, False]
    assert np.all(np.diff(scores) <= 0)


@pytest.mark.parametrize("customer_index", [-1, 10_000])
def test_a_customer_without_history_gets_the_popular_items(customer_index: int) -> None:
    baskets = shop()
    model = fit_next_basket(baskets)
    items, _scores, is_repeat = next_basket_for(model, customer_index, 5)
    assert items.tolist() == model.popular_items[:5].tolist()
    assert not is_repeat.any()


def test_excluded_items_are_left_out() -> None:
    baskets = shop()
    model = fit_next_basket(baskets)
    customer = baskets.customer_ids.index("0")
    items, _scores, _is_repeat = next_basket_for(model, customer, 5, exclude=np.array([7], dtype=np.int32))
    assert 7 not in items.tolist()
    assert items.size == 5


def test_one_customer_and_the_batch_rank_the_same_items() -> None:
    baskets = shop(seed=11)
    model = fit_next_basket(baskets, NextBasketSettings(explore_weight=0.7, popularity_weight=0.1))
    customers = np.arange(baskets.customer_count, dtype=np.int32)
    batch = next_basket_top(model, customers, 4)
    single = [next_basket_for(model, int(customer), 4)[0].tolist() for customer in customers]
    assert batch.tolist() == single


def test_the_model_survives_a_round_trip_through_an_npz_without_pickle() -> None:
    # given
    baskets = shop()
    model = fit_next_basket(baskets)
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **model.to_arrays())
    buffer.seek(0)

    # when
    with np.load(buffer, allow_pickle=False) as stored:
        loaded = NextBasketModel.from_arrays(dict(stored))

    # then
    assert loaded.customer_ids == model.customer_ids and loaded.skus == model.skus
    for customer in (-1, 0, 5):
        expected, loaded_items = next_basket_for(model, customer, 6), next_basket_for(loaded, customer, 6)
        assert loaded_items[0].tolist() == expected[0].tolist()
        assert loaded_items[1] == pytest.approx(expected[1])


def test_bad_settings_and_k_are_refused() -> None:
    with pytest.raises(ValueError, match="decay must be in"):
        NextBasketSettings(decay=0.0)
    model = fit_next_basket(shop())
    with pytest.raises(ValueError, match="k must be at least 1"):
        next_basket_for(model, 0, 0)


def test_reasons_give_the_repeat_chance_or_the_items_that_led_to_a_new_one() -> None:
    # given item 0 and 1 always bought together by many; customer "z" bought only item 0, twice
    lines = [(str(c), f"{c}-{b}", b, sku) for c in range(20) for b in range(3) for sku in ("p0", "p1")]
    lines += [("z", "z-0", 0, "p0"), ("z", "z-1", 1, "p0"), ("y", "y-0", 0, "p2")]
    customer_ids, keys, placed_at, skus = zip(*lines, strict=True)
    baskets = baskets_from_lines(customer_ids, keys, placed_at, skus)
    model = fit_next_basket(baskets)
    customer = baskets.customer_ids.index("z")

    # when
    bought = next_basket_reason(model, customer, 0)
    new = next_basket_reason(model, customer, 1)
    unrelated = next_basket_reason(model, customer, 2)

    # then
    assert bought.bought_before and bought.repeat_chance > 0.0
    assert not new.bought_before and new.because_of == (0,) and new.contributions[0] > 0.0
    assert unrelated.popular and unrelated.because_of == ()


def test_a_shop_without_orders_trains_a_model_that_recommends_nothing() -> None:
    baskets = baskets_from_lines([], [], np.array([], dtype=np.int64), [])
    model = fit_next_basket(baskets)
    items, scores, is_repeat = next_basket_for(model, -1, 5)
    assert items.size == scores.size == is_repeat.size == 0


def test_a_shop_with_one_order_recommends_its_product() -> None:
    model = fit_next_basket(baskets_from_lines(["a"], ["1"], [5], ["x"]))
    assert next_basket_for(model, 0, 5)[0].tolist() == [0]
    assert next_basket_for(model, -1, 5)[0].tolist() == [0]
