import numpy as np
import pytest

from retentio.offers.recs.baskets import Baskets, baskets_from_lines
from retentio.offers.recs.history import decayed_frequency, repeat_ratio
from retentio.offers.recs.repeat_model import learn_repeat_model, learned_repeat_scores

DAY = 86_400


def habits() -> Baskets:
    """Customers 0-9 buy "staple" every week and tried "once" in their first week only."""
    lines: list[tuple[str, str, int, str]] = []
    for customer in range(10):
        lines.append((str(customer), f"{customer}-0", 0, "once"))
        for week in range(6):
            lines.append((str(customer), f"{customer}-{week}", week * 7 * DAY, "staple"))
    customer_ids, keys, placed_at, skus = zip(*lines, strict=True)
    return baskets_from_lines(customer_ids, keys, placed_at, skus)


def test_decayed_frequency_weighs_later_baskets_more_by_hand() -> None:
    # baskets {x}, {x, y}, {y}; weights 0.25, 0.5, 1 (decay 0.5), total 1.75
    baskets = baskets_from_lines(["a"] * 4, ["1", "2", "2", "3"], [1, 2, 2, 3], ["x", "x", "y", "y"])
    shares = decayed_frequency(baskets, 0.5).toarray()
    assert shares == pytest.approx(np.array([[0.75 / 1.75, 1.5 / 1.75]]))


def test_repeat_ratio_is_the_share_of_later_items_bought_before() -> None:
    # a: {x}, {x}, {x, y} -> later lines x, x (repeats), y (new) = 2/3; b: one basket, unknown = 0.5
    baskets = baskets_from_lines(
        ["a", "a", "a", "a", "b"], ["1", "2", "3", "3", "4"], [1, 2, 3, 3, 1], ["x", "x", "x", "y", "x"]
    )
    assert repeat_ratio(baskets) == pytest.approx([2 / 3, 0.5])


def test_the_learned_model_expects_the_staple_rather_than_the_one_off() -> None:
    baskets = habits()
    model = learn_repeat_model(baskets, decay=0.9, half_life_days=30.0)
    assert model is not None
    chances = learned_repeat_scores(baskets, 0.9, 30.0, model).toarray()
    staple, once = baskets.skus.index("staple"), baskets.skus.index("once")
    assert np.all(chances[:, staple] > chances[:, once])


def test_nothing_is_learned_without_a_customer_with_two_baskets() -> None:
    baskets = baskets_from_lines(["a", "b"], ["1", "2"], [1, 2], ["x", "y"])
    assert learn_repeat_model(baskets, decay=0.9, half_life_days=30.0) is None
