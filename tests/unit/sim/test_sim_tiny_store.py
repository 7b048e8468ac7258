"""A store of a handful of customers has days without a cart; the simulator must still run."""

import pytest

from retentio.sim import SimConfig, build_store, simulate


@pytest.mark.parametrize(("customers", "seed"), [(1, 1), (5, 2), (50, 3)])
def test_tiny_stores_simulate_every_day(customers: int, seed: int) -> None:
    config = SimConfig(customers=customers, days=40, seed=seed)
    days = list(simulate(config, build_store(config)))
    assert len(days) == 40
    assert all(event["type"] for day in days for event in day)
