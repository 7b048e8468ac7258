"""Run by ``test_custom_refresh_killed``: refresh one segment, but stop dead right after the members
were rewritten and before the commit, announce it, and wait to be killed.

    python refresh_until_killed.py DATABASE_URL NOW SEGMENT
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from typing import Any

from retentio.db.engine import make_engine
from retentio.segments.custom import refresh
from retentio.segments.custom.service import refresh_segments

_apply = refresh._apply


def _apply_then_wait(*args: Any) -> None:
    _apply(*args)
    print("members rewritten, not committed", flush=True)
    time.sleep(600)


def main() -> None:
    url, now, name = sys.argv[1], datetime.fromisoformat(sys.argv[2]), sys.argv[3]
    refresh._apply = _apply_then_wait  # type: ignore[assignment]
    refresh_segments(make_engine(url), [name], now, "RUB")


if __name__ == "__main__":
    main()
