"""Where a customer stands, as one pure function of their inputs, the RFM edges and the clock."""

from __future__ import annotations

from typing import NamedTuple

from retentio.segments.bad_customers import assess
from retentio.segments.config import SegmentsConfig
from retentio.segments.facts import preferred_channel, preferred_hour, reward_propensity, usual_interval_days
from retentio.segments.inputs import CustomerInputs, Instant, earliest_after
from retentio.segments.ladder import LadderStage, decide_ladder
from retentio.segments.lifecycle import LifecycleStage, decide_lifecycle
from retentio.segments.rfm import RfmEdges, rfm_scores, segment_of


class Decided(NamedTuple):
    """What a decision sets, in the order of the standing row's columns.

    A tuple rather than a dataclass: the ingest reaction decides every customer a batch touches and
    compares the result with the stored row read back as a plain tuple, and a named tuple is built
    and compared at C speed where a frozen dataclass is not."""

    rfm_recency: int | None
    rfm_frequency: int | None
    rfm_monetary: int | None
    rfm_segment: str | None
    lifecycle: LifecycleStage
    ladder: LadderStage
    bad_score: int
    bad_customer: bool
    bad_reasons: tuple[str, ...]
    do_not_incentivize: bool
    reward_propensity: str
    preferred_channel: str | None
    preferred_hour: int | None
    usual_interval_days: float | None
    next_due_at: Instant | None  # the next time the standing may change with no new event

    @property
    def rfm_cell(self) -> str:
        if self.rfm_recency is None:
            return ""
        return f"{self.rfm_recency}{self.rfm_frequency}{self.rfm_monetary}"


def decide_standing(
    inputs: CustomerInputs, edges: RfmEdges | None, now: Instant, config: SegmentsConfig
) -> Decided:
    scores = rfm_scores(inputs, edges)
    lifecycle = decide_lifecycle(inputs, now, config.lifecycle)
    ladder = decide_ladder(inputs, now, config.ladder)
    bad = assess(inputs, now, config.bad_customers, config.signals.payment_days)
    return Decided(
        None if scores is None else scores.recency,
        None if scores is None else scores.frequency,
        None if scores is None else scores.monetary,
        segment_of(scores, config.rfm.rules),
        lifecycle.stage,
        ladder.stage,
        bad.score,
        bad.flagged,
        bad.reasons,
        bad.flagged,  # a flagged customer must not be incentivised
        # The personal facts one by one, as ``decide_facts`` gives them, without the object.
        reward_propensity(inputs, config.facts),
        preferred_channel(inputs.channel_activity),
        preferred_hour(inputs),
        usual_interval_days(inputs),
        earliest_after(now, lifecycle.next_change_at, ladder.next_change_at, bad.next_change_at),
    )
