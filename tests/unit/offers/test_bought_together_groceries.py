"""The pair rules over Groceries equal an independent implementation's (mlxtend's apriori and
association_rules) for the same thresholds: the same rules, the same support, confidence and lift."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from retentio.offers.recs.bought_together import RuleSettings, basket_matrix, fit_rules

pytestmark = pytest.mark.datasets


def _baskets(path: Path) -> list[list[str]]:
    return [line.strip().split(",") for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize(("min_support", "min_confidence"), [(0.01, 0.1), (0.005, 0.2)])
def test_pair_rules_equal_mlxtend(datasets_dir: Path, min_support: float, min_confidence: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pandas as pd
        from mlxtend.frequent_patterns import apriori, association_rules
        from mlxtend.preprocessing import TransactionEncoder
    baskets = _baskets(datasets_dir / "groceries.csv")
    # given mlxtend's rules for the data set
    encoder = TransactionEncoder()
    table = pd.DataFrame(encoder.fit(baskets).transform(baskets), columns=encoder.columns_)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        itemsets = apriori(table, min_support=min_support, use_colnames=True, max_len=2)
        expected_rules = association_rules(itemsets, metric="confidence", min_threshold=min_confidence)
    expected = {
        (next(iter(row.antecedents)), next(iter(row.consequents))): (row.support, row.confidence, row.lift)
        for row in expected_rules.itertuples()
        if len(row.antecedents) == 1 and len(row.consequents) == 1
    }
    # when the same thresholds fit the sparse rules, keeping every rule per item
    names = sorted({item for basket in baskets for item in basket})
    index = {name: i for i, name in enumerate(names)}
    basket_of = np.array([b for b, basket in enumerate(baskets) for _ in basket], dtype=np.int64)
    item_of = np.array([index[item] for basket in baskets for item in basket], dtype=np.int64)
    matrix = basket_matrix(basket_of, item_of, len(baskets), len(names))
    rules = fit_rules(matrix, RuleSettings(min_support, min_confidence, max_rules_per_item=len(names)))
    found = {}
    for a in range(len(names)):
        span = rules.of(a)
        for b, s, c, lift in zip(
            rules.consequent[span], rules.support[span], rules.confidence[span], rules.lift[span], strict=True
        ):
            found[(names[a], names[int(b)])] = (s, c, lift)
    # then the rules and their numbers are the same
    assert len(expected) > 20
    assert set(found) == set(expected)
    for pair, numbers in expected.items():
        assert found[pair] == pytest.approx(numbers, rel=1e-9), pair
