"""Kind preferences as a history: only changes are kept, a kind is wanted until stopped, and only the
optional kinds can be stopped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from retentio.customers.preferences import preference_changes_that_differ, record_preference_changes

T0 = datetime(2026, 6, 1, 12, tzinfo=UTC)


def change(wanted: bool, at: datetime = T0, kind: str = "marketing") -> dict[str, Any]:
    return {
        "customer_id": "c1",
        "channel": "email",
        "kind": kind,
        "wanted": wanted,
        "source": "test",
        "changed_at": at,
        "recorded_at": at,
    }


def test_a_kind_is_wanted_until_stopped_and_repeats_add_nothing() -> None:
    # given no history, a stop, the same stop again, then turning it back on later
    proposed = [change(True), change(False), change(False), change(True, T0 + timedelta(hours=1))]
    # when
    kept = preference_changes_that_differ({}, proposed)
    # then
    assert [(row["wanted"], row["changed_at"]) for row in kept] == [
        (False, T0),
        (True, T0 + timedelta(hours=1)),
    ]


def test_a_late_change_is_compared_with_what_was_in_force_at_its_own_time() -> None:
    timelines = {("c1", "email", "marketing"): [(T0, False), (T0 + timedelta(hours=2), True)]}
    kept = preference_changes_that_differ(timelines, [change(False, T0 + timedelta(hours=1))])
    assert kept == []  # stopped already at that time


def test_transactional_cannot_be_stopped() -> None:
    with pytest.raises(ValueError, match="only marketing and trigger"):
        record_preference_changes(None, [change(False, kind="transactional")])  # type: ignore[arg-type]
