"""The recommenders at scale: training every recommender on a simulated base, and one customer's
recommendations in a context served by the real HTTP API. Goals: training ≤ 5 min and ≤ 8 GB on a
1,000,000-customer, 50,000-product base (~10M order lines); serving p99 ≤ 20 ms.

The base is generated straight into the store as arrays and bulk inserts (not through the event
pipeline, which its own benchmarks measure): product popularity falls as a Zipf law, each customer
has a few favourite products they buy again (repeat behaviour) and a favourite category, and
premium variants and complements are set on part of the catalogue; about one product view per two
customers is logged as an event.

Training runs as ``retentio recs train`` in a child process: its wall time, and its peak memory from
``getrusage(RUSAGE_CHILDREN).ru_maxrss``. Serving: ``retentio serve`` (uvicorn, one process) on
loopback with the trained models, ``--requests`` recommendation requests (contexts email, home, cart
with two SKUs, product with one, for random customers, 2 % of them unknown) interleaved with as many
``GET /v1/products/{sku}`` requests (one primary-key read through the same key check and stack),
the floor; the ratio is the recommendations' p99 over the floor's p99. (``/v1/health`` is no floor
here: it counts the log's events behind each consumer.)

    python benchmarks/recs_serving.py [--customers 1000000] [--products 50000] [--requests 2000]

Prints one figure a line. SQLite, in a temporary folder removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np

from retentio.api.keys import do_create_api_key, parse_scopes
from retentio.db.engine import make_engine
from retentio.db.migrate import upgrade

try:
    from benchmarks.http_ingest import _server
except ImportError:  # run as a script from the benchmarks folder
    from http_ingest import _server  # type: ignore[no-redef]

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
START = NOW - timedelta(days=730)
CATEGORIES = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="recs-bench-") as folder_name:
        folder = Path(folder_name)
        url = f"sqlite:///{folder / 'retentio.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        started = time.perf_counter()
        lines = build_base(folder / "retentio.db", arguments.customers, arguments.products, arguments.seed)
        print(f"customers {arguments.customers}")
        print(f"products {arguments.products}")
        print(f"order_lines {lines}")
        print(f"build_seconds {time.perf_counter() - started:.1f}")
        train(url)
        serve(url, folder, arguments.customers, arguments.products, arguments.requests, arguments.seed)


def build_base(path: Path, customers: int, products: int, seed: int) -> int:
    rng = np.random.default_rng(seed)
    # the catalogue: categories of uneven size, prices by category, Zipf popularity
    category = np.minimum(rng.zipf(1.3, products) - 1, CATEGORIES - 1)
    price = np.round(rng.lognormal(6.0, 0.8, products) * (1 + category % 7 / 10)).astype(np.int64) * 100
    popularity = 1.0 / np.arange(1, products + 1) ** 0.9
    popularity = rng.permutation(popularity)
    popularity /= popularity.sum()
    premium = np.full(products, -1)
    chosen = rng.choice(products, products // 10, replace=False)
    for item in chosen:  # a pricier product of the same category, when there is one
        same = np.flatnonzero(category == category[item])
        pricier = same[price[same] > price[item]]
        if len(pricier):
            premium[item] = rng.choice(pricier)
    # baskets: 1 + geometric count per customer (mean ~4), 1 + Poisson(1.5) lines each
    counts = rng.geometric(0.3, customers)
    basket_customer = np.repeat(np.arange(customers), counts)
    baskets = len(basket_customer)
    sizes = 1 + rng.poisson(1.5, baskets)
    line_basket = np.repeat(np.arange(baskets), sizes)
    favourites = rng.choice(products, (customers, 5), p=popularity)
    line_customer = basket_customer[line_basket]
    repeat = rng.random(len(line_basket)) < 0.45
    line_item = rng.choice(products, len(line_basket), p=popularity)
    line_item[repeat] = favourites[line_customer[repeat], rng.integers(0, 5, int(repeat.sum()))]
    placed = START + timedelta(seconds=1)
    offsets = np.sort(rng.integers(0, 730 * 86400, baskets))  # then ordered within each customer
    order = np.lexsort((offsets, basket_customer))
    basket_at = np.empty(baskets, dtype=np.int64)
    basket_at[order] = np.sort(offsets)[np.argsort(np.argsort(basket_customer[order], kind="stable"))]
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    stamp = _text(NOW)
    connection.executemany(
        "INSERT INTO products (sku, name, category, brand, price_minor, currency, margin, premium_variant_of,"
        " complements, consumption_days, attributes, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            (
                f"P{i}",
                f"Product {i}",
                f"cat{category[i]}",
                None,
                int(price[i]),
                "RUB",
                "0.3",
                None if premium[i] < 0 else f"P{premium[i]}",
                "[]" if i % 20 else f'["P{(i * 7919) % products}"]',
                30 if i % 9 == 0 else None,
                "{}",
                stamp,
            )
            for i in range(products)
        ),
    )
    connection.executemany(
        "INSERT INTO customers (customer_id, push_tokens, attributes, created_at, updated_at)"
        " VALUES (?,?,?,?,?)",
        ((f"C{c}", "[]", "{}", stamp, stamp) for c in range(customers)),
    )
    totals = np.bincount(line_basket, weights=price[line_item], minlength=baskets).astype(np.int64)
    times = [_text(placed + timedelta(seconds=int(s))) for s in basket_at]
    connection.executemany(
        "INSERT INTO orders (order_id, customer_id, placed_at, currency, total_minor, discount_minor,"
        " paid_at, returned_minor, returns, status, updated_at)"
        " VALUES (?,?,?,'RUB',?,0,?,0,'[]','paid',?)",
        (
            (f"O{b}", f"C{basket_customer[b]}", times[b], int(totals[b]), times[b], stamp)
            for b in range(baskets)
        ),
    )
    line_no = np.arange(len(line_basket)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    connection.executemany(
        "INSERT INTO order_lines (order_id, line_no, sku, quantity, price_minor, returned_quantity)"
        " VALUES (?,?,?,1,?,0)",
        (
            (f"O{b}", int(n), f"P{i}", int(price[i]))
            for b, n, i in zip(line_basket.tolist(), line_no.tolist(), line_item.tolist(), strict=True)
        ),
    )
    viewers = rng.choice(customers, customers // 2)
    viewed = rng.choice(products, len(viewers), p=popularity)
    view_at = rng.integers(0, 730 * 86400, len(viewers))
    connection.executemany(
        "INSERT INTO events (event_id, type, customer_id, occurred_at, received_at, properties, tx, derived,"
        " historical) VALUES (?,'product_viewed',?,?,?,?,0,0,1)",
        (
            (f"v{n}", f"C{c}", _text(placed + timedelta(seconds=int(s))), stamp, f'{{"sku": "P{i}"}}')
            for n, (c, i, s) in enumerate(
                zip(viewers.tolist(), viewed.tolist(), view_at.tolist(), strict=True)
            )
        ),
    )
    connection.commit()
    connection.close()
    return len(line_basket)


def train(url: str) -> None:
    command = [sys.executable, "-c", "from retentio.cli import main; main()", "--as-of", NOW.isoformat()]
    env = {**os.environ, "RETENTIO_DATABASE_URL": url, "OPENBLAS_NUM_THREADS": "1"}
    started = time.perf_counter()
    done = subprocess.run([*command, "recs", "train"], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"training failed:\n{done.stderr[-3000:]}")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux: kilobytes
    print(f"train_seconds {elapsed:.1f}")
    print(f"train_peak_rss_mb {peak_kb / 1024:.0f}")
    summary, _, steps = done.stdout.strip().partition("\nseconds: ")
    print(f"train_summary {summary}")
    for step in steps.split(", "):
        name, _, spent = step.rpartition(" ")
        print(f"train_step_seconds_{name} {spent}")


def serve(url: str, folder: Path, customers: int, products: int, requests: int, seed: int) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        key, _ = do_create_api_key(connection, "bench", parse_scopes("read"), NOW)
    engine.dispose()
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {key}"}
    with (
        _server(url, folder, consumers=False) as base_url,
        httpx.Client(base_url=base_url, headers=headers) as client,
    ):
        started = time.perf_counter()
        _check(client.get("/v1/customers/C1/recommendations", params={"context": "email"}))
        print(f"first_request_with_model_load_seconds {time.perf_counter() - started:.2f}")
        for _ in range(50):  # warm-up
            _check(client.get("/v1/health"))
            _check(
                client.get(
                    f"/v1/customers/C{rng.randrange(customers)}/recommendations", params={"context": "home"}
                )
            )
        recs: dict[str, list[float]] = {"email": [], "home": [], "cart": [], "product": []}
        health: list[float] = []
        for n in range(requests):
            customer = f"C{rng.randrange(customers)}" if rng.random() > 0.02 else f"unknown{n}"
            context = ("email", "home", "cart", "product")[n % 4]
            params: dict[str, object] = {"context": context, "limit": 10}
            if context == "cart":
                params["sku"] = [f"P{rng.randrange(products)}", f"P{rng.randrange(products)}"]
            elif context == "product":
                params["sku"] = f"P{rng.randrange(products)}"
            began = time.perf_counter()
            _check(client.get(f"/v1/customers/{customer}/recommendations", params=params))
            recs[context].append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            _check(client.get(f"/v1/products/P{rng.randrange(products)}"))
            health.append((time.perf_counter() - began) * 1000)
        server_rss = _children_rss_mb()
    every = [t for times in recs.values() for t in times]
    print(f"recommendations_p50_ms {_quantile(every, 0.50):.2f}")
    print(f"recommendations_p99_ms {_quantile(every, 0.99):.2f}")
    for context, times in recs.items():
        print(f"recommendations_{context}_p99_ms {_quantile(times, 0.99):.2f}")
    print(f"product_read_p50_ms {_quantile(health, 0.50):.2f}")
    print(f"product_read_p99_ms {_quantile(health, 0.99):.2f}")
    print(f"ratio_p99_to_product_read_p99 {_quantile(every, 0.99) / _quantile(health, 0.99):.1f}")
    print(f"load_average_1min {os.getloadavg()[0]:.2f}")
    print(f"server_rss_mb {server_rss:.0f}")


def _children_rss_mb() -> float:
    """The resident memory of this process's children (the server, with the models loaded)."""
    total = 0.0
    for children in Path("/proc/self/task").glob("*/children"):
        for pid in children.read_text().split():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
    return total


def _check(response: httpx.Response) -> None:
    if response.status_code != 200:
        raise SystemExit(f"unexpected answer {response.status_code}: {response.text[:500]}")


def _quantile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[int(share * 1000) - 1]


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


if __name__ == "__main__":
    main()
