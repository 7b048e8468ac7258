"""Running due work: claim a batch, run each row's handler, complete or record the failure.

Rows of exactly-once kinds run together in one transaction that also marks them done, so their
effects and their completion commit together; when anything in it fails, each row runs again alone,
so one bad row costs the others nothing. Rows of at-least-once kinds run one by one, outside any
transaction, and are marked done after (a kind with a batch handler takes its rows together, and
each row runs alone when the batch raises). A row whose lease was taken over meanwhile is left to its
new owner: the completion matches nothing and its transaction (with the effects) rolls back.
"""

from __future__ import annotations

import os
import random
import secrets
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from retentio.clock import Clock
from retentio.schedule.job import Job
from retentio.schedule.kinds import Registry
from retentio.schedule.retry import retry_at
from retentio.schedule.store import QueueStore, QueueTransaction
from retentio.schedule.work import DueWork, Failure


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one claimed row: done (with the handler's summary), or failed and then
    waiting again from ``retry_at``, or dead when that is ``None``."""

    work: DueWork
    at: datetime
    summary: str | None = None
    failure: Failure | None = None
    retry_at: datetime | None = None


class LeaseLost(Exception):
    """The lease ended and another worker took the row over; this worker's run of it is void."""


def worker_name() -> str:
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class Runner:
    queue: QueueStore
    registry: Registry
    clock: Clock
    owner: str = field(default_factory=worker_name)
    batch: int = 500
    lease: timedelta = timedelta(seconds=60)
    draw: Callable[[], float] = random.random
    report: Callable[[Outcome], None] | None = None

    def run_due(self) -> int:
        """Claim one batch of due work and run it; the number of rows claimed (0: nothing was due)."""
        now = self.clock.now()
        claimed = self.queue.claim(self.registry.names, self.owner, now, now + self.lease, self.batch)
        runnable = [work for work in claimed if not self._spent(work)]
        self._lengthen_leases(runnable)
        together = [work for work in runnable if self.registry[work.kind].in_transaction]
        if together:
            self._run_together(together)
        batched: dict[str, list[DueWork]] = {}
        for work in runnable:
            kind = self.registry[work.kind]
            if kind.batch_handler is not None:
                batched.setdefault(kind.name, []).append(work)
            elif not kind.in_transaction:
                self._run_alone(work)
        for batch in batched.values():
            self._run_batch_outside(batch)
        return len(claimed)

    def run_all_due(self) -> int:
        """Run until nothing is due now (``retentio worker --once``); the number of rows claimed."""
        total = 0
        while claimed := self.run_due():
            total += claimed
        return total

    def seconds_until_next(self) -> float | None:
        """Until the earliest due row or ending lease; ``None`` when the queue holds nothing to run."""
        at = self.queue.next_due(self.registry.names)
        return None if at is None else (at - self.clock.now()).total_seconds()

    def _run_together(self, batch: Sequence[DueWork]) -> None:
        if len(batch) == 1:
            self._run_alone(batch[0])
            return
        try:
            self._run_in_transaction(batch)
        except Exception:
            for work in batch:
                self._run_alone(work)

    def _run_alone(self, work: DueWork) -> None:
        try:
            if self.registry[work.kind].in_transaction:
                self._run_in_transaction([work])
            else:
                self._run_outside(work)
        except LeaseLost:
            return
        except Exception as error:
            self._record_failure(work, Failure.of(error))

    def _run_in_transaction(self, batch: Sequence[DueWork]) -> None:
        now = self.clock.now()
        with self.queue.transaction() as transaction:
            jobs = [Job(work, now, transaction.connection) for work in batch]
            summaries = [self.registry[job.work.kind].handler(job) for job in jobs]
            self._finish(transaction, jobs)
        self._report_done(jobs, summaries)

    def _run_outside(self, work: DueWork) -> None:
        job = Job(work, self.clock.now(), None)
        summary = self.registry[work.kind].handler(job)
        with self.queue.transaction() as transaction:
            self._finish(transaction, [job])
        self._report_done([job], [summary])

    def _run_batch_outside(self, batch: Sequence[DueWork]) -> None:
        handler = self.registry[batch[0].kind].batch_handler
        assert handler is not None
        now = self.clock.now()
        jobs = [Job(work, now, None) for work in batch]
        try:
            summaries = handler(jobs)
        except Exception:
            for work in batch:
                self._run_alone(work)
            return
        try:
            with self.queue.transaction() as transaction:
                self._finish(transaction, jobs)
            self._report_done(jobs, summaries)
            return
        except LeaseLost:
            pass
        for job, summary in zip(jobs, summaries, strict=True):  # a row taken over voids only itself
            try:
                with self.queue.transaction() as transaction:
                    self._finish(transaction, [job])
                self._report_done([job], [summary])
            except LeaseLost:
                continue

    def _finish(self, transaction: QueueTransaction, jobs: Sequence[Job]) -> None:
        now = self.clock.now()
        follow_ups = [item for job in jobs for item in job.follow_ups]
        if follow_ups:
            transaction.enqueue(follow_ups, now)
        if transaction.complete([job.work.id for job in jobs], self.owner, now) != len(jobs):
            raise LeaseLost(f"{len(jobs)} rows, some taken over by another worker")

    def _spent(self, work: DueWork) -> bool:
        """A row claimed more often than its kind allows: earlier holders died running it (it may be
        what kills them), so it is dead with the reason the takeover recorded."""
        if work.attempts <= self.registry[work.kind].max_attempts:
            return False
        failure = Failure(work.last_error_type or "LeaseExpired", work.last_error or "lease expired")
        self._record_failure(work, failure, dead=True)
        return True

    def _record_failure(self, work: DueWork, failure: Failure, dead: bool = False) -> None:
        now = self.clock.now()
        again = None if dead else retry_at(work, self.registry[work.kind], now, self.draw)
        with self.queue.transaction() as transaction:
            recorded = transaction.fail(work.id, self.owner, failure, again, now)
        if recorded and self.report is not None:
            self.report(Outcome(work, now, failure=failure, retry_at=again))

    def _lengthen_leases(self, claimed: Sequence[DueWork]) -> None:
        """Kinds that run longer than the claim lease ask for their own before they start."""
        now = self.clock.now()
        for work in claimed:
            lease = self.registry[work.kind].lease
            if lease is not None and lease > self.lease:
                self.queue.extend([work.id], self.owner, now + lease)

    def _report_done(self, jobs: Sequence[Job], summaries: Sequence[str | None]) -> None:
        if self.report is None:
            return
        now = self.clock.now()
        for job, summary in zip(jobs, summaries, strict=True):
            self.report(Outcome(job.work, now, summary=summary))
