"""The demo store: catalogue, customers and their hidden traits, built from one seed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retentio.db.batches import collector_paused
from retentio.sim.catalogue import CatalogueColumns, SimProduct, build_products, catalogue_columns
from retentio.sim.config import SimConfig
from retentio.sim.customers import CustomerTraits, SimCustomer, build_customers, build_traits

# Separate streams per part, so adding a product never changes who the customers are.
_CATALOGUE_STREAM, _TRAITS_STREAM, _PROFILE_STREAM = 1, 2, 3


@dataclass(frozen=True)
class SimStore:
    products: list[SimProduct]
    customers: list[SimCustomer]
    traits: CustomerTraits
    columns: CatalogueColumns


def build_store(config: SimConfig) -> SimStore:
    """Build the catalogue and the customers for `config`; the same seed gives the same store."""
    products = build_products(config, _stream(config, _CATALOGUE_STREAM))
    traits = build_traits(config, _stream(config, _TRAITS_STREAM))
    with collector_paused():
        customers = build_customers(config, traits, _stream(config, _PROFILE_STREAM))
    return SimStore(
        products=products,
        customers=customers,
        traits=traits,
        columns=catalogue_columns(products),
    )


def _stream(config: SimConfig, part: int) -> np.random.Generator:
    return np.random.default_rng([config.seed, part])
