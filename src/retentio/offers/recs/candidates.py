"""Candidates from a trained set for some seed SKUs, each with a score in [0, 1] and its one-line
reason. The scales differ on purpose: what the catalogue says and rules with high confidence come
first, then behaviour, and the popular fallbacks only fill what is left."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from retentio.offers.recs.business_rules import Candidate
from retentio.offers.recs.ranked import Ranked
from retentio.offers.recs.trained import TrainedRecs

POPULAR_SCALE = 0.01  # popular items only fill the list after everything personal
MAX_CATEGORIES = 3  # the categories whose popular items a fallback offers


@dataclass(frozen=True, slots=True)
class Popular:
    """The most popular items overall and per category, best first (computed once per load)."""

    overall: npt.NDArray[np.int64]
    in_category: dict[int, npt.NDArray[np.int64]]

    @classmethod
    def of(cls, model: TrainedRecs, keep: int = 200) -> Popular:
        order = np.lexsort((np.arange(len(model.popularity)), -model.popularity))
        order = order[model.popularity[order] > 0]
        categories = model.item_category[order]
        in_category: dict[int, npt.NDArray[np.int64]] = {}
        by_category = np.argsort(categories, kind="stable")
        codes, starts = np.unique(categories[by_category], return_index=True)
        ends = np.append(starts[1:], len(by_category))[: len(starts)]  # none when nothing sold
        for code, start, end in zip(codes, starts, ends, strict=True):
            if code >= 0:
                in_category[int(code)] = order[by_category[start:end]][:keep]
        return cls(order[:keep], in_category)


def bought_together(model: TrainedRecs, seeds: list[str]) -> list[Candidate]:
    found = []
    for seed in seeds:
        span = model.rules.of(model.item_of(seed)) if model.item_of(seed) >= 0 else slice(0, 0)
        for item, support, confidence, lift in zip(
            model.rules.consequent[span],
            model.rules.support[span],
            model.rules.confidence[span],
            model.rules.lift[span],
            strict=True,
        ):
            reason = f"bought together with {seed} in {_percent(support)} of baskets, lift {lift:.1f}"
            found.append(Candidate(str(model.skus[item]), float(confidence), "bought_together", reason))
    return found


def next_purchase(model: TrainedRecs, seeds: list[str]) -> list[Candidate]:
    return _ranked(
        model,
        model.next,
        seeds,
        "next",
        # Views count less than purchases (the setting view_weight): the figure is a weight, not a count.
        "bought or viewed next by customers who bought {seed} (weight {count}: a purchase counts 1)",
    )


def moved_up(model: TrainedRecs, seeds: list[str]) -> list[Candidate]:
    return _ranked(
        model, model.moved_up, seeds, "upsell", "{count} customers who bought {seed} moved up to it"
    )


def from_catalogue(complements: dict[str, list[str]], premium: dict[str, list[str]]) -> list[Candidate]:
    found = [
        Candidate(sku, 1.0, "complement", f"goes with {seed} (catalogue)")
        for seed, skus in complements.items()
        for sku in skus
    ]
    found += [
        Candidate(sku, 1.0, "upsell", f"the premium variant of {seed} (catalogue)")
        for seed, skus in premium.items()
        for sku in skus
    ]
    return found


def popular(model: TrainedRecs, popular_items: Popular, near: list[str], need: int) -> list[Candidate]:
    """Up to ``need`` popular in each category of ``near`` (unknown SKUs have none), then popular
    overall."""
    found = []
    codes = {int(model.item_category[i]) for i in (model.item_of(s) for s in near) if i >= 0}
    for code in sorted(c for c in codes if c >= 0)[:MAX_CATEGORIES]:
        for rank, item in enumerate(popular_items.in_category.get(code, ())[:need]):
            score = POPULAR_SCALE * (1 + 1 / (rank + 1))
            found.append(
                Candidate(str(model.skus[item]), score, "popular", f"popular in {model.categories[code]}")
            )
    for rank, item in enumerate(popular_items.overall[:need]):
        found.append(
            Candidate(str(model.skus[item]), POPULAR_SCALE / (rank + 1), "popular", "popular overall")
        )
    return found


def _ranked(
    model: TrainedRecs, ranked: Ranked, seeds: list[str], kind: str, template: str
) -> list[Candidate]:
    found = []
    for seed in seeds:
        span = ranked.of(model.item_of(seed))
        scores = ranked.score[span]
        if not len(scores):
            continue
        top = float(scores.max())
        for item, score in zip(ranked.item[span], scores, strict=True):
            reason = template.format(seed=seed, count=f"{score:.3g}")
            found.append(Candidate(str(model.skus[item]), 0.8 * float(score) / top, kind, reason))
    return found


def _percent(share: float) -> str:
    percent = share * 100
    return f"{percent:.1f} %" if percent < 10 else f"{percent:.0f} %"
