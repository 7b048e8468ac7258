"""Each move is one event with an id derived from the move: an entry, or an exit to nowhere."""

from datetime import UTC, datetime

from retentio.segments.transitions import EVENT_ID_LENGTH, Move, event_id, move_events

AT = datetime(2026, 3, 1, tzinfo=UTC)


def test_a_move_between_stages_is_one_entry_carrying_where_from() -> None:
    move = Move("c1", "lifecycle", "at_risk", "churned", "no purchase for 180 days", AT)
    (entered,) = move_events([move])
    assert entered.type == "segment_entered"
    assert entered.event_id == f"seg:lifecycle:in:churned:{int(AT.timestamp())}:c1"
    assert entered.properties == {
        "family": "lifecycle",
        "from": "at_risk",
        "to": "churned",
        "reason": "no purchase for 180 days",
    }
    assert entered.occurred_at == AT


def test_leaving_a_family_for_nowhere_is_an_exit() -> None:
    (exited,) = move_events([Move("c1", "rfm", "Lost", None, "no counted order", AT)])
    assert exited.type == "segment_exited"
    assert exited.event_id == f"seg:rfm:out:Lost:{int(AT.timestamp())}:c1"
    assert (exited.properties["from"], exited.properties["to"]) == ("Lost", None)


def test_no_exit_from_nothing_and_long_ids_are_digested() -> None:
    events = move_events([Move("c1", "rfm", None, "New", "RFM scores 511", AT)])
    assert [event.type for event in events] == ["segment_entered"]
    long_id = event_id("x" * 128, "rfm", "in", "Champions", AT)
    assert len(long_id) <= EVENT_ID_LENGTH
    assert long_id == event_id("x" * 128, "rfm", "in", "Champions", AT)
