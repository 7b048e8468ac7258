"""Benchmark: how long the CLI takes to start, as a user runs it (a fresh process each time).

Prints one figure a line: the median wall time of ``--repeat`` runs of ``retentio --help``, of
``retentio stats`` and of ``retentio customers show`` on an empty migrated SQLite file, and, as the
baseline measured in the same run, of a Python process that does nothing.

    python benchmarks/cli_start.py [--repeat 9]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = "import sys; from retentio.cli import main; sys.argv[0] = 'retentio'; main()"


def median_seconds(arguments: list[str], env: dict[str, str], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(arguments, env=env, capture_output=True, check=False)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=9)
    repeat = parser.parse_args().repeat
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "RETENTIO_DATABASE_URL": f"sqlite:///{Path(folder) / 'cli.db'}"}
        retentio = [sys.executable, "-c", CLI]
        subprocess.run([*retentio, "db", "upgrade"], env=env, capture_output=True, check=True)
        baseline = median_seconds([sys.executable, "-c", "pass"], env, repeat)
        figures = {
            "help": median_seconds([*retentio, "--help"], env, repeat),
            "stats": median_seconds([*retentio, "stats"], env, repeat),
            "customers_show": median_seconds([*retentio, "customers", "show", "nobody"], env, repeat),
        }
    print(f"python_start_seconds {baseline:.3f}")
    for name, seconds in figures.items():
        print(f"cli_{name}_seconds {seconds:.3f}")
        print(f"cli_{name}_ratio_to_python_start {seconds / baseline:.1f}")


if __name__ == "__main__":
    main()
