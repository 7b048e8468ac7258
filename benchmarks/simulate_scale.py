"""The simulator at scale, then the same store ingested on the real path into SQLite.

    python benchmarks/simulate_scale.py [--customers 1000000] [--days 365] [--skip-ingest]

Prints one figure a line: generation time (the simulator alone, events discarded), then the time to
ingest everything (customers, catalogue, events day by day), the file size and peak memory. The
baseline in the same run is the simulator's own generation time: ``ingest_over_generation``.

By default the events are only ingested (no consumer follows the log; the standing is refreshed once
at the end), as the figures of 2026-11-24 were. With ``--with-segments`` the store is wired as
``retentio demo`` wires it: after every batch the segments consumer (built-in families) catches up in
the same process, and the segments are swept at the end of each day.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from retentio.ingest.pipeline import IngestOptions
from retentio.segments.config import DEFAULT_CONFIG
from retentio.segments.consumer import SegmentsConsumer
from retentio.segments.refresh import sweep_hook
from retentio.sim import SimConfig, build_store, simulate
from retentio.sim.demo import DemoWiring, run_demo


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--with-segments", action="store_true", help="the segments consumer and daily sweep")
    args = parser.parse_args()
    config = SimConfig(customers=args.customers, days=args.days, seed=args.seed)

    started = time.perf_counter()
    store = build_store(config)
    events = sum(len(day) for day in simulate(config, store))
    generation = time.perf_counter() - started
    del store  # the ingest below builds its own; two stores at once would double the peak
    print(f"sim_customers {args.customers}")
    print(f"sim_days {args.days}")
    print(f"sim_events {events}")
    print(f"sim_generation_seconds {generation:.1f}")
    print(f"sim_generation_peak_memory_mb {_peak_mb():.0f}")
    if args.skip_ingest:
        return
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "scale.db"
        run = run_demo(database, config, _wiring(config, args.with_segments))
        size = sum(p.stat().st_size for p in Path(folder).iterdir())
    print(f"with_segments {int(args.with_segments)}")
    print(f"ingest_events_accepted {run.events_accepted}")
    print(f"simulate_and_ingest_seconds {run.seconds:.1f}")
    print(f"simulate_and_ingest_events_per_second {run.events_accepted / run.seconds:.0f}")
    print(f"database_size_mb {size / 2**20:.0f}")
    print(f"peak_memory_mb {_peak_mb():.0f}")
    print(f"ingest_over_generation {run.seconds / generation:.1f}")


def _wiring(config: SimConfig, with_segments: bool) -> DemoWiring:
    if not with_segments:
        return DemoWiring(IngestOptions(), (), DEFAULT_CONFIG)
    return DemoWiring(
        IngestOptions(),
        (SegmentsConsumer(DEFAULT_CONFIG, config.currency),),
        DEFAULT_CONFIG,
        day_hooks=[sweep_hook(DEFAULT_CONFIG)],
    )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
