"""Benchmark: summarise the full CDNOW master file and fit BG/NBD + Gamma-Gamma on it.

Prints one figure a line. Timings are the best of ``--repeat`` runs, so a busy machine shows
less noise. Where the ``lifetimes`` package imports, its ``BetaGeoFitter`` is timed on the very
same summary for comparison (its fit only, like ``bgnbd_fit_seconds``).

Then the store path, as ``retentio models fit`` runs it: the master file is ingested as order events
into a temporary SQLite file (``clv_store_load_seconds``, not part of the fit), and
``clv_store_fit_seconds`` is reading the orders back from the store, summarising and fitting both
models; predicting every customer and writing ``customer_predictions`` are timed on their own lines.

    python benchmarks/clv_fit.py [--until 1998-07-01] [--repeat 3]

The data set folder is ``$RETENTIO_DATASETS``, by default ``../shared/datasets`` beside the repo.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Engine

from retentio.analytics.bgnbd import BgNbdParams, fit_bgnbd
from retentio.analytics.clv_store import ClvFitOptions, ClvFitResult, do_fit_clv_models
from retentio.analytics.gamma_gamma import GammaGammaParams, fit_gamma_gamma
from retentio.analytics.rfm_summary import RfmSummary, summarise_transactions
from retentio.db.engine import make_engine
from retentio.db.migrate import upgrade
from retentio.ingest.pipeline import IngestOptions, ingest_events

REPO_ROOT = Path(__file__).resolve().parents[1]
STORE_NOW = datetime(1998, 7, 1, tzinfo=UTC)  # the end of the CDNOW data: "now" of the store path
BATCH = 10_000
Result = TypeVar("Result")


def dataset_path() -> Path:
    folder = Path(os.environ.get("RETENTIO_DATASETS", REPO_ROOT.parent / "shared" / "datasets"))
    return folder / "CDNOW_master.txt"


def load_cdnow_master(path: Path) -> tuple[NDArray[np.int64], NDArray[Any], NDArray[np.float64]]:
    """(customer id, purchase date, dollars) from the master file (header, YYYYMMDD dates)."""
    raw = np.loadtxt(path, skiprows=1, usecols=(0, 1, 3))
    ymd = raw[:, 1].astype(np.int64)
    months = (ymd // 10000 - 1970) * 12 + (ymd // 100 % 100 - 1)
    dates = months.astype("datetime64[M]").astype("datetime64[D]") + (ymd % 100 - 1)
    return raw[:, 0].astype(np.int64), dates, raw[:, 2]


def best_time(repeat: int, run: Callable[[], Result]) -> tuple[float, Result]:
    """Fastest wall time of ``repeat`` runs, and the last run's result."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        timings.append(time.perf_counter() - started)
    return min(timings), result


def fit_spend(summary: RfmSummary) -> GammaGammaParams:
    """Gamma-Gamma on repeat buyers with positive spend (CDNOW has some $0 orders)."""
    usable = summary.monetary_value > 0
    return fit_gamma_gamma(summary.frequency[usable], summary.monetary_value[usable])


def time_lifetimes(summary: RfmSummary, repeat: int) -> tuple[float, BgNbdParams] | str:
    """Seconds lifetimes' BetaGeoFitter takes on the same summary, or why it cannot run."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from lifetimes import BetaGeoFitter
    except Exception as error:  # any import failure (old pandas/numpy API) means unavailable
        return f"{type(error).__name__}: {error}".replace("\n", " ")

    def fit() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return BetaGeoFitter().fit(summary.frequency, summary.recency, summary.age)

    seconds, fitter = best_time(repeat, fit)
    fitted = fitter.params_
    params = BgNbdParams(
        r=float(fitted["r"]),
        alpha=float(fitted["alpha"]),
        a=float(fitted["a"]),
        b=float(fitted["b"]),
        log_likelihood=float("nan"),
    )
    return seconds, params


def report(name: str, value: object) -> None:
    print(f"{name} {value}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--until", default="1998-07-01", help="calibration end, exclusive")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best is kept)")
    options = parser.parse_args()

    ids, dates, dollars = load_cdnow_master(dataset_path())
    until = np.datetime64(options.until)

    def summarise() -> RfmSummary:
        return summarise_transactions(ids, dates, dollars, until=until, time_unit="week")

    summary_seconds, summary = best_time(options.repeat, summarise)
    bgnbd_seconds, purchases = best_time(
        options.repeat, lambda: fit_bgnbd(summary.frequency, summary.recency, summary.age)
    )
    spend_seconds, spend = best_time(options.repeat, lambda: fit_spend(summary))

    report("transactions", len(ids))
    report("customers", len(summary.customer_ids))
    report("repeat_buyers", int((summary.frequency > 0).sum()))
    report("summary_seconds", f"{summary_seconds:.4f}")
    report("bgnbd_fit_seconds", f"{bgnbd_seconds:.4f}")
    report("gamma_gamma_fit_seconds", f"{spend_seconds:.4f}")
    report("clv_fit_seconds", f"{summary_seconds + bgnbd_seconds + spend_seconds:.4f}")
    for field in ("r", "alpha", "a", "b", "log_likelihood"):
        report(f"bgnbd_{field}", f"{getattr(purchases, field):.4f}")
    for field in ("p", "q", "gamma", "log_likelihood"):
        report(f"gamma_gamma_{field}", f"{getattr(spend, field):.4f}")

    lifetimes = time_lifetimes(summary, options.repeat)
    lifetimes_seconds = None
    if isinstance(lifetimes, str):
        report("lifetimes_bgnbd_seconds", f"unavailable ({lifetimes})")
    else:
        lifetimes_seconds, theirs = lifetimes
        report("lifetimes_bgnbd_seconds", f"{lifetimes_seconds:.4f}")
        report("ratio_lifetimes_over_retentio", f"{lifetimes_seconds / bgnbd_seconds:.1f}")
        report("lifetimes_max_relative_parameter_difference", f"{relative_difference(theirs, purchases):.2e}")

    report_store_path(until, options.repeat, purchases, lifetimes_seconds)


def report_store_path(
    until: np.datetime64, repeat: int, purchases: BgNbdParams, lifetimes_seconds: float | None
) -> None:
    """The same fit through the store; ``purchases`` is the in-memory fit to compare with."""
    store = time_store_path(dataset_path(), until, repeat)
    timings = store.result.timings
    report("clv_store_load_seconds", f"{store.load_seconds:.2f}")
    report("clv_store_fit_seconds", f"{store.fit_seconds:.4f}")
    # wall times above; on a busy machine they exceed CPU time, so both are shown with the load
    report("clv_store_command_cpu_seconds", f"{store.command_cpu_seconds:.4f}")
    report("load_average_1min", f"{os.getloadavg()[0]:.2f}")
    report("clv_store_read_seconds", f"{timings.read_seconds:.4f}")
    report("clv_store_predict_seconds", f"{timings.predict_seconds:.4f}")
    report("clv_store_write_seconds", f"{timings.write_seconds:.4f}")
    report("clv_store_predictions_written", store.result.predictions_written)
    difference = relative_difference(store.result.bgnbd, purchases)
    report("clv_store_max_relative_parameter_difference", f"{difference:.2e}")
    if lifetimes_seconds is not None:
        report("ratio_lifetimes_bgnbd_over_clv_store_fit", f"{lifetimes_seconds / store.fit_seconds:.1f}")


def relative_difference(theirs: BgNbdParams, ours: BgNbdParams) -> float:
    """The largest relative difference of r, α, a and b."""
    pairs = [(theirs.r, ours.r), (theirs.alpha, ours.alpha), (theirs.a, ours.a), (theirs.b, ours.b)]
    return max(abs(their / our - 1) for their, our in pairs)


@dataclass(frozen=True)
class StoreTiming:
    load_seconds: float  # ingesting the file; not part of the fit
    fit_seconds: float  # best of the runs: store read + summary + both fits
    command_cpu_seconds: float  # best of the runs: CPU time of the whole fit, predictions and write
    result: ClvFitResult  # of the fastest run


def time_store_path(path: Path, until: np.datetime64, repeat: int) -> StoreTiming:
    """Ingest the master file into a temporary SQLite store, then fit from it ``repeat`` times."""
    cut_off = datetime.fromisoformat(str(until.astype("datetime64[D]"))).replace(tzinfo=UTC)
    fit_options = ClvFitOptions(until=cut_off, time_unit="week")
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'clv.db'}")
        upgrade(engine)
        load_seconds, _ = best_time(1, lambda: ingest_master(engine, path))
        runs, cpu_seconds = [], []
        for _ in range(repeat):
            started = time.process_time()
            runs.append(do_fit_clv_models(engine, fit_options, STORE_NOW))
            cpu_seconds.append(time.process_time() - started)
        engine.dispose()
    fastest = min(runs, key=lambda run: run.timings.fit_seconds)
    return StoreTiming(load_seconds, fastest.timings.fit_seconds, min(cpu_seconds), fastest)


def ingest_master(engine: Engine, path: Path) -> None:
    """Every row of the master file as one order_placed event (USD, the day at 00:00 UTC)."""
    lines = path.read_text().splitlines()[1:]
    options = IngestOptions(default_currency="USD", future_tolerance=timedelta(days=1))
    events = [
        master_event(number, line.split()) for number, line in enumerate(lines, start=2) if line.strip()
    ]
    for start in range(0, len(events), BATCH):
        result = ingest_events(engine, events[start : start + BATCH], STORE_NOW, options)
        assert not result.rejected, result.rejected[:3]


def master_event(number: int, cells: list[str]) -> dict[str, Any]:
    customer, day, _cds, dollars = cells
    order_id = f"cdnow:{number}"
    return {
        "event_id": order_id,
        "type": "order_placed",
        "customer_id": str(int(customer)),
        "timestamp": datetime.strptime(day, "%Y%m%d").replace(tzinfo=UTC).isoformat(),
        "properties": {
            "order_id": order_id,
            "items": [{"sku": "CD", "quantity": 1, "price": dollars}],
            "total": dollars,
            "currency": "USD",
        },
    }


if __name__ == "__main__":
    main()
