"""Where a customer stands, as one pure function of their inputs, the RFM edges and the clock."""

from __future__ import annotations

from dataclasses import dataclass

from retentio.segments.bad_customers import assess
from retentio.segments.config import SegmentsConfig
from retentio.segments.facts import PersonalFacts, decide_facts
from retentio.segments.inputs import CustomerInputs, Instant, earliest_after
from retentio.segments.ladder import LadderStage, decide_ladder
from retentio.segments.lifecycle import LifecycleStage, decide_lifecycle
from retentio.segments.rfm import RfmEdges, RfmScores, rfm_scores, segment_of


@dataclass(frozen=True, slots=True)
class Standing:
    customer_id: str
    rfm: RfmScores | None
    rfm_segment: str | None
    lifecycle: LifecycleStage
    ladder: LadderStage
    bad_score: int
    bad_customer: bool
    bad_reasons: tuple[str, ...]
    facts: PersonalFacts
    next_due_at: Instant | None  # the next time the standing may change with no new event

    @property
    def do_not_incentivize(self) -> bool:
        return self.bad_customer


def decide_standing(
    inputs: CustomerInputs, edges: RfmEdges | None, now: Instant, config: SegmentsConfig
) -> Standing:
    scores = rfm_scores(inputs, edges)
    lifecycle = decide_lifecycle(inputs, now, config.lifecycle)
    ladder = decide_ladder(inputs, now, config.ladder)
    bad = assess(inputs, now, config.bad_customers, config.signals.payment_days)
    return Standing(
        customer_id=inputs.customer_id,
        rfm=scores,
        rfm_segment=segment_of(scores, config.rfm.rules),
        lifecycle=lifecycle.stage,
        ladder=ladder.stage,
        bad_score=bad.score,
        bad_customer=bad.flagged,
        bad_reasons=bad.reasons,
        facts=decide_facts(inputs, config.facts),
        next_due_at=earliest_after(now, lifecycle.next_change_at, ladder.next_change_at, bad.next_change_at),
    )
