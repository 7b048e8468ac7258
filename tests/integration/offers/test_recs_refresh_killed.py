"""A refresh killed halfway through storing its model leaves the previous version current and
served; the dead build is never read, and is pruned once stale."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from tests.integration.offers.shop import order, send, tea_shop

from retentio.offers import RecsCache, RecsConfig, do_train_recs
from retentio.offers.recs.serving import KIND
from retentio.offers.recs.versions import DIE_AFTER_PARTS, list_versions

REPO = Path(__file__).resolve().parents[3]


def test_a_refresh_killed_halfway_leaves_the_old_model_in_use(
    engine: Engine, database_url: str, now: datetime
) -> None:
    # given a current version, read by a serving process
    tea_shop(engine, now, customers=10)
    first = do_train_recs(engine, RecsConfig(), now)
    cache = RecsCache(recheck_seconds=0)
    served = cache.get(engine)
    assert served is not None and served.version == 1
    items_before = len(served.model.skus)
    # when new sales arrive and a refresh is killed after storing three of its arrays
    send(engine, order("late", "late-1", now - timedelta(hours=1), ["TEA", "CAKE"]), now)
    environment = {**os.environ, DIE_AFTER_PARTS: "3", "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}"}
    killed = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("train_and_die.py")), database_url, now.isoformat()],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    # then the process died before finishing, and the old version is still the one served
    assert killed.returncode == -9, killed.stderr
    assert "finished" not in killed.stdout
    with engine.connect() as connection:
        versions = [(v.version, v.status) for v in list_versions(connection, KIND)]
    assert versions == [(2, "building"), (1, "current")]
    again = cache.get(engine)
    assert again is not None and again.model_id == first.id and len(again.model.skus) == items_before
    # and the next refresh completes, and a day later the dead build is pruned
    do_train_recs(engine, RecsConfig(), now + timedelta(days=2))
    with engine.connect() as connection:
        versions = [(v.version, v.status) for v in list_versions(connection, KIND)]
    assert versions == [(3, "current"), (1, "retired")]
    latest = cache.get(engine)
    assert latest is not None and latest.version == 3
