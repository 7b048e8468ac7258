"""How fast the demo simulator produces events; one figure a line.

    PYTHONPATH=src python benchmarks/simulator.py --customers 1000000 --days 16

A million customers give about ten million events in 16 days (new customers arrive spread over
the run, so short runs are busier per day than long ones). `baseline_dict_seconds` is the time to
build the same number of minimal dicts in a plain loop: the floor any dict producer pays.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

from retentio.sim import SimConfig, build_store, simulate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    config = SimConfig(customers=arguments.customers, days=arguments.days, seed=arguments.seed)

    started, cpu_started = time.perf_counter(), time.process_time()
    store = build_store(config)
    built = time.perf_counter()
    events = sum(len(batch) for batch in simulate(config, store))
    finished, cpu_finished = time.perf_counter(), time.process_time()
    baseline = _baseline_dict_seconds(events)

    total = finished - started
    print(f"sim_customers {config.customers}")
    print(f"sim_days {config.days}")
    print(f"sim_events {events}")
    print(f"sim_build_store_seconds {built - started:.2f}")
    print(f"sim_simulate_seconds {finished - built:.2f}")
    print(f"sim_seconds {total:.2f}")
    # CPU time shows the cost on its own when other work shares the machine.
    print(f"sim_cpu_seconds {cpu_finished - cpu_started:.2f}")
    print(f"sim_events_per_second {events / total:.0f}")
    print(f"baseline_dict_seconds {baseline:.2f}")
    print(f"sim_to_baseline_ratio {total / baseline:.2f}")
    print(f"peak_memory_mb {_peak_memory_mb():.0f}")


def _baseline_dict_seconds(count: int) -> float:
    """Build `count` one-key dicts, a day's worth at a time, as a batch consumer would see them."""
    per_batch = 400_000
    started = time.perf_counter()
    for offset in range(0, count, per_batch):
        batch = [{"event_id": number} for number in range(offset, min(count, offset + per_batch))]
        del batch
    return time.perf_counter() - started


def _peak_memory_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is in kilobytes on Linux and in bytes on macOS.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


if __name__ == "__main__":
    main()
