"""The evaluation protocol on a slice of Online Retail (the first 1,500 customers by id): the
next-basket recommender must not fall below personal top frequency on recall@10."""

from pathlib import Path

import numpy as np
import pytest
from tests.online_retail_baskets import FILE_NAME, load_online_retail

from retentio.offers.recs.baselines import p_topfreq_top
from retentio.offers.recs.evaluation import evaluate, split_next_baskets
from retentio.offers.recs.next_basket import fit_next_basket, next_basket_top

CUSTOMERS = 1_500


@pytest.mark.datasets
def test_next_basket_is_not_below_personal_top_frequency_on_online_retail(datasets_dir: Path) -> None:
    # given
    path = datasets_dir / FILE_NAME
    if not path.is_file():
        pytest.skip(f"{path} not found; set RETENTIO_DATASETS to the folder holding it")
    everyone = load_online_retail(path)
    baskets = everyone.select(everyone.customer < CUSTOMERS)
    test = split_next_baskets(baskets).test
    assert test.customers.size > 500

    # when
    ours = evaluate(next_basket_top(fit_next_basket(test.history), test.customers, 10), test)
    personal = evaluate(p_topfreq_top(test.history, test.customers, 10), test)

    # then
    assert ours["recall"] >= personal["recall"]
    assert ours["phr"] >= personal["phr"]
    assert 0.0 < ours["recall_repeat"] <= 1.0
    assert np.isfinite(list(ours.values())).all()
