"""The recommenders' algorithms, pure and in memory: customers' baskets as arrays (``baskets``),
the next-basket recommender (``next_basket``), "customers like you" by item-kNN and ALS
(``similar``), and the next-basket evaluation protocol with its baselines (``evaluation``,
``baselines``, ``tifu_knn``). Storage, serving and training from the store build on these.
"""
