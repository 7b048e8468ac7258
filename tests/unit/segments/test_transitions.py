"""Moves become exit/entry events with ids derived from the move."""

from datetime import UTC, datetime

from retentio.segments.transitions import EVENT_ID_LENGTH, Move, event_id, move_events

AT = datetime(2026, 3, 1, tzinfo=UTC)


def test_a_move_is_an_exit_and_an_entry_with_readable_ids() -> None:
    move = Move("c1", "lifecycle", "at_risk", "churned", "no purchase for 180 days", AT)
    exited, entered = move_events([move])
    assert (exited.type, entered.type) == ("segment_exited", "segment_entered")
    assert entered.event_id == f"seg:lifecycle:in:churned:{int(AT.timestamp())}:c1"
    assert entered.properties == {
        "family": "lifecycle",
        "from": "at_risk",
        "to": "churned",
        "reason": "no purchase for 180 days",
    }
    assert entered.occurred_at == AT


def test_no_exit_from_nothing_and_long_ids_are_digested() -> None:
    events = move_events([Move("c1", "rfm", None, "New", "RFM scores 511", AT)])
    assert [event.type for event in events] == ["segment_entered"]
    long_id = event_id("x" * 128, "rfm", "in", "Champions", AT)
    assert len(long_id) <= EVENT_ID_LENGTH
    assert long_id == event_id("x" * 128, "rfm", "in", "Champions", AT)
