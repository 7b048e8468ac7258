"""Moving SQLite's write-ahead log into the database file on a thread of its own.

SQLite's default is for the committing writer to do it ("autocheckpoint"): a commit that pushes the
log past its limit then copies every page of it into the database file before it returns — 1.5 s
after a million segment moves, every few batches during a bulk import. Here commits only append to the
log; a background thread per engine copies the pages shortly after (as PostgreSQL's checkpointer
does), in C code that runs beside Python on a second core. A committed transaction is in the log and
survives a crash either way; the writer checkpoints itself only if the thread falls 4 GiB behind.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

# Pages (4 KiB) the log may hold before a committing writer checkpoints it itself: the safety valve
# for a checkpointer that cannot keep up (or a process that has none). A sweep moving a million
# customers writes over a gigabyte of log in one transaction; below that, its commit paid 1.5 s.
WRITER_CHECKPOINT_PAGES = 1_048_576
WAL_KEPT_BYTES = 64 * 1024 * 1024
# A burst of commits is checkpointed together once it pauses this long (or every such period).
_COALESCE_SECONDS = 0.2
_MAX_RETRY_SECONDS = 5.0

log = logging.getLogger(__name__)


class Checkpointer:
    """One per SQLite engine; woken by commits, it runs passive checkpoints, which never block
    readers or writers: pages a reader still needs, or that a writer appends meanwhile, wait for the
    next round."""

    def __init__(self, database: str) -> None:
        self._database = database
        self._wake = threading.Event()
        self._start = threading.Lock()
        self._running = threading.Lock()
        self._thread: threading.Thread | None = None

    def committed(self) -> None:
        if self._thread is None:
            with self._start:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="retentio-checkpoint", daemon=True)
                    self._thread.start()
        self._wake.set()

    def settle(self) -> None:
        """Wait for a running checkpoint and cancel a pending one (the engine is being disposed): when
        ``dispose()`` returns, no connection of ours is open, so closing the last one merged the log
        and the file can be copied."""
        with self._running:
            self._wake.clear()

    def _run(self) -> None:
        pause = _COALESCE_SECONDS
        while True:
            self._wake.wait()
            # Woken as a commit starts: let it land, and let a burst of commits gather.
            time.sleep(pause)
            with self._running:
                if not self._wake.is_set():
                    continue  # settled meanwhile
                self._wake.clear()
                complete = self._checkpoint()
            if complete:
                pause = _COALESCE_SECONDS
            else:
                # A commit still landing, or a reader on an older snapshot: try again, less and less often.
                pause = min(pause * 2, _MAX_RETRY_SECONDS)
                self._wake.set()

    def _checkpoint(self) -> bool:
        try:
            in_log, copied = checkpoint(self._database)
        except sqlite3.Error as error:  # the next commit wakes us again; never fail a writer
            log.warning("background WAL checkpoint of %s failed: %s", self._database, error)
            return True
        return copied >= in_log


def checkpoint(database: str) -> tuple[int, int]:
    """One passive checkpoint on a connection of its own: (pages in the log, pages copied so far)."""
    connection = sqlite3.connect(database, timeout=60, isolation_level=None)
    try:
        _busy, in_log, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(in_log), int(copied)
    finally:
        connection.close()
