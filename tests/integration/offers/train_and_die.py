"""Run as a subprocess by the refresh test: trains the recommenders on the database given, with
RETENTIO_RECS_DIE_AFTER_PARTS set so the process kills itself halfway through storing them."""

from __future__ import annotations

import sys
from datetime import datetime

from retentio.db.engine import make_engine
from retentio.offers import RecsConfig, do_train_recs

if __name__ == "__main__":
    engine = make_engine(sys.argv[1])
    do_train_recs(engine, RecsConfig(), datetime.fromisoformat(sys.argv[2]))
    print("finished")  # never reached when the process is killed halfway
