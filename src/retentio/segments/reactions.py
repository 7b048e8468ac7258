"""The segment reactions every ingest path runs: built-in families first, because custom rules may
read the standing they update."""

from __future__ import annotations

from retentio.events.ingest import Reaction
from retentio.segments.custom.incremental import CustomSegmentsReaction
from retentio.segments.reaction import BuiltinSegmentsReaction


def segment_reactions(currency: str) -> tuple[Reaction, ...]:
    return (BuiltinSegmentsReaction(), CustomSegmentsReaction(currency=currency))
