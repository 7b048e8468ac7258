"""The demo store and its customers' behaviour (SIMULATOR.md).

Owns: generating a catalogue (`SimProduct`) and customers (`SimCustomer`, plus hidden traits),
and simulating what those customers do, day by day, as events in the public envelope —
deterministic by seed. The simulator does not ingest, store or react to anything: the caller feeds
the batches from `simulate` into ingestion and moves its clock one day per batch.

    config = SimConfig(customers=2000, days=180, seed=1)
    store = build_store(config)
    for day_events in simulate(config, store):
        ...

`run_demo` is such a caller (``retentio demo``): a fresh SQLite store fed through the real ingestion
path, ending with a report. This package is the area's facade; each name loads its module on first
use (``retentio.facade``), so the simulator alone does not bring the whole stack the demo needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retentio.facade import load_on_use

if TYPE_CHECKING:
    from retentio.sim.catalogue import SimProduct
    from retentio.sim.config import SimConfig
    from retentio.sim.customers import SimCustomer
    from retentio.sim.demo import DemoRun, DemoWiring, run_demo
    from retentio.sim.engine import simulate
    from retentio.sim.shop import DemoShop, demo_programmes
    from retentio.sim.store import SimStore, build_store

__all__ = [
    "DemoRun",
    "DemoShop",
    "DemoWiring",
    "SimConfig",
    "SimCustomer",
    "SimProduct",
    "SimStore",
    "build_store",
    "demo_programmes",
    "run_demo",
    "simulate",
]

_EXPORTS = {
    "retentio.sim.catalogue": ["SimProduct"],
    "retentio.sim.config": ["SimConfig"],
    "retentio.sim.customers": ["SimCustomer"],
    "retentio.sim.demo": ["DemoRun", "DemoWiring", "run_demo"],
    "retentio.sim.shop": ["DemoShop", "demo_programmes"],
    "retentio.sim.engine": ["simulate"],
    "retentio.sim.store": ["SimStore", "build_store"],
}
__getattr__ = load_on_use(__name__, _EXPORTS)
