"""The demo store and its customers' behaviour (SIMULATOR.md).

Owns: generating a catalogue (`SimProduct`) and customers (`SimCustomer`, plus hidden traits),
and simulating what those customers do, day by day, as events in the public envelope —
deterministic by seed. It does not ingest, store or react to anything: the caller feeds the
batches from `simulate` into ingestion and moves its clock one day per batch.

    config = SimConfig(customers=2000, days=180, seed=1)
    store = build_store(config)
    for day_events in simulate(config, store):
        ...
"""

from retentio.sim.catalogue import SimProduct
from retentio.sim.config import SimConfig
from retentio.sim.customers import SimCustomer
from retentio.sim.engine import simulate
from retentio.sim.store import SimStore, build_store

__all__ = ["SimConfig", "SimCustomer", "SimProduct", "SimStore", "build_store", "simulate"]
